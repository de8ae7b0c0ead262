// The real sources, each loaded only when a run needs it: start-up pays for none of them.
import type { Sources } from '../gather/types.js';

export const realSources: Sources = {
  openBroker: async (target, timeoutMs) => (await import('../sources/broker/open.js')).openBroker(target, timeoutMs),
  docker: async (endpoints, o) => (await import('../sources/docker/containers.js')).gatherDocker(endpoints, o),
  ssh: async (s, o) => (await import('../sources/ssh/hosts.js')).gatherSsh(s, o),
  registry: async (url, o) => (await import('../sources/registry.js')).readRegistry(url, o),
  effects: async (broker, o) => (await import('../actions/effects.js')).realEffects(broker, o),
};
