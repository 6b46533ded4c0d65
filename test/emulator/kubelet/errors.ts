/** The pod cannot start yet; the message is what the kubelet would put in a FailedMount event. */
export class VolumeNotReady extends Error {}

/** A container's configuration cannot be resolved (CreateContainerConfigError in a real kubelet). */
export class ContainerConfigError extends Error {}
