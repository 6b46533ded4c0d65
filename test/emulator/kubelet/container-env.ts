import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { readOptional } from '../support/kube-api.js';
import { ContainerConfigError } from './errors.js';
import { podField } from './projected-files.js';

/**
 * A container's environment as the kubelet builds it: envFrom first, then env (later entries win),
 * with configMap, secret and downward API references resolved against the API server.
 */
export async function containerEnv(ctx: EmulatorContext, pod: V1Pod, container: V1Container): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? '';
  const env: Record<string, string> = {};
  const configMap = async (name: string, optional?: boolean) => {
    const found = await readOptional(() => ctx.api.core.readNamespacedConfigMap({ namespace, name }));
    if (!found && !optional) throw new ContainerConfigError(`configmap "${name}" not found`);
    return found?.data ?? {};
  };
  const secret = async (name: string, optional?: boolean) => {
    const found = await readOptional(() => ctx.api.core.readNamespacedSecret({ namespace, name }));
    if (!found && !optional) throw new ContainerConfigError(`secret "${name}" not found`);
    return Object.fromEntries(Object.entries(found?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  };

  for (const source of container.envFrom ?? []) {
    const values = source.configMapRef
      ? await configMap(source.configMapRef.name ?? '', source.configMapRef.optional)
      : source.secretRef
        ? await secret(source.secretRef.name ?? '', source.secretRef.optional)
        : {};
    for (const [key, value] of Object.entries(values)) env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env[variable.name] = expand(variable.value ?? '', env);
      continue;
    }
    let value: string | undefined;
    if (from.configMapKeyRef) {
      value = (await configMap(from.configMapKeyRef.name ?? '', from.configMapKeyRef.optional))[from.configMapKeyRef.key];
      if (value === undefined && !from.configMapKeyRef.optional) throw new ContainerConfigError(`couldn't find key ${from.configMapKeyRef.key} in ConfigMap ${namespace}/${from.configMapKeyRef.name}`);
    } else if (from.secretKeyRef) {
      value = (await secret(from.secretKeyRef.name ?? '', from.secretKeyRef.optional))[from.secretKeyRef.key];
      if (value === undefined && !from.secretKeyRef.optional) throw new ContainerConfigError(`couldn't find key ${from.secretKeyRef.key} in Secret ${namespace}/${from.secretKeyRef.name}`);
    } else if (from.fieldRef) {
      value = podField(pod, from.fieldRef.fieldPath);
    }
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** `$(VAR)` references to earlier variables, as Kubernetes expands them; `$$` escapes. */
export function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : match;
  });
}
