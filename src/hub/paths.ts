// Where the hub keeps its files under its data folder. Its own module, so `vigil hub add-machine`
// and friends can open the registry without loading the hub.
import path from 'node:path';

export function hubPaths(dataDir: string) {
  return {
    dataDir,
    registry: path.join(dataDir, 'hub.db'),
    machines: path.join(dataDir, 'machines'),
  };
}
