/**
 * Where the catalogue's files are inside this server: the facility's paths mapped to
 * the ones the user's server sees (a mount /data/<proposal>, or a read-only link
 * ~/data/<proposal> where nothing can be mounted). The server extension passes the
 * spawner's map as the page-config option `beamhubDataPaths` (jupyterlab_beamhub/datapaths.py).
 */
export interface IDataPath {
  /** The facility's path (as the catalogue records it). */
  source: string;
  /** The same folder as this server sees it. */
  path: string;
  /** Its path from the server's root folder ('' when outside it). */
  relative: string;
}

/** A path as this server sees it, and where the file browser finds it. */
export interface ISeenPath {
  path: string;
  /** From the server's root folder, for the file browser; '' when it cannot reach it. */
  relative: string;
  /** False when no chosen proposal holds it: the server cannot reach it. */
  reachable: boolean;
}

function inside(path: string, folder: string): boolean {
  const base = folder.replace(/\/+$/, '');
  return path === base || path.startsWith(base + '/');
}

/** `path` mapped by the longest matching facility prefix (pure). */
export function seenPath(path: string, paths: IDataPath[]): ISeenPath {
  const match = [...paths]
    .sort((a, b) => b.source.length - a.source.length)
    .find(p => inside(path, p.source));
  if (!match) {
    return { path, relative: '', reachable: false };
  }
  const rest = path.slice(match.source.replace(/\/+$/, '').length);
  const relative = match.relative ? (match.relative.replace(/\/+$/, '') + rest).replace(/^\/+/, '') : '';
  return { path: match.path.replace(/\/+$/, '') + rest, relative, reachable: true };
}

/** The map this server was started with (none outside a beamhub server), read from
 * the page's configuration (what PageConfig reads) once. */
export function dataPaths(): IDataPath[] {
  if (cached === null) {
    cached = [];
    try {
      const element = document.getElementById('jupyter-config-data');
      const config = JSON.parse(element?.textContent || '{}');
      const raw = config.beamhubDataPaths;
      const parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
      cached = Array.isArray(parsed) ? parsed : [];
    } catch {
      cached = [];
    }
  }
  return cached;
}

let cached: IDataPath[] | null = null;
