/** What `stack up` remembers about a running component, so `up` can reuse it and `down` can stop it. */
export interface ComponentState {
  /** Process-group leaders started by `up` (only these are ever stopped). */
  pids: number[];
  /** Substring of each process's command line, to tell our process from a reused pid. */
  programHint: string;
  ports: Record<string, number>;
  /** The KEY=VALUE lines this component contributes to the stack's environment. */
  env: Record<string, string>;
  /** Anything else a component needs to stop itself (e.g. a data directory). */
  extra?: Record<string, string>;
}

export interface Component {
  name: string;
  /** Obtains binaries (cached by version); a no-op on a warm machine. */
  install(): Promise<void>;
  /** Starts the component; `previous` holds its last state so ports and data survive a restart. */
  start(previous: ComponentState | undefined): Promise<ComponentState>;
  /** Answers whether a previously started instance still serves requests. */
  healthy(state: ComponentState): Promise<boolean>;
  stop(state: ComponentState): Promise<void>;
}
