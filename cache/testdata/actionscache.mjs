// Drives @actions/cache's own functions for cache/'s differential tests.
// usage: node actionscache.mjs NODE_MODULES REQUEST.json RESULT.json
// The request is {"op": ..., ...}; the result is {"ok": value} or
// {"error": message}. @actions/core writes "::debug::" lines to stdout,
// so results go to a file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, reqPath, resPath] = process.argv.slice(2);
const req = JSON.parse(readFileSync(reqPath, 'utf8'));
const lib = (p) => import(pathToFileURL(join(nodeModules, '@actions/cache/lib', p)).href);

async function main() {
  if (req.workspace) process.env.GITHUB_WORKSPACE = req.workspace;
  if (req.home) process.env.HOME = req.home;
  if (req.workspace) { mkdirSync(req.workspace, { recursive: true }); process.chdir(req.workspace); }
  const utils = await lib('internal/cacheUtils.js');
  const tar = await lib('internal/tar.js');
  switch (req.op) {
    case 'version':
      return utils.getCacheVersion(req.paths, req.compression || undefined, req.enableCrossOsArchive);
    case 'versions':
      return req.cases.map((c) => utils.getCacheVersion(c.paths, c.compression || undefined, c.enableCrossOsArchive));
    case 'resolve':
      return await utils.resolvePaths(req.paths);
    case 'resolves': {
      const out = [];
      for (const paths of req.cases) out.push(await utils.resolvePaths(paths));
      return out;
    }
    case 'compression':
      return await utils.getCompressionMethod();
    case 'create': {
      // What saveCache does: resolve the paths, then tar them into
      // archiveFolder/cache.tzst (or cache.tgz).
      const files = await utils.resolvePaths(req.paths);
      await tar.createTar(req.archiveFolder, files, req.compression);
      return { files, archive: join(req.archiveFolder, utils.getCacheFileName(req.compression)) };
    }
    case 'save': {
      // The public API, against the service at ACTIONS_RESULTS_URL.
      Object.assign(process.env, req.env);
      const cache = await import(pathToFileURL(join(nodeModules, '@actions/cache/lib/cache.js')).href);
      return await cache.saveCache(req.paths, req.key);
    }
    case 'restore': {
      Object.assign(process.env, req.env);
      const cache = await import(pathToFileURL(join(nodeModules, '@actions/cache/lib/cache.js')).href);
      return (await cache.restoreCache(req.paths, req.key, req.restoreKeys || [])) ?? null;
    }
    case 'extract':
      await tar.extractTar(req.archive, req.compression);
      return null;
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

main().then(
  (ok) => writeFileSync(resPath, JSON.stringify({ ok })),
  (e) => writeFileSync(resPath, JSON.stringify({ error: String(e && e.message ? e.message : e) })),
);
