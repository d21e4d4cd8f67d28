import { existsSync } from 'node:fs';
import path from 'node:path';

/** The Nx workspace root (the folder holding nx.json), found upward from this file. */
export const workspaceRoot = ((): string => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No nx.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
