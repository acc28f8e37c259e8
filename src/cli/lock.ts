import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * The embedded database (PGlite) belongs to one process at a time: two processes writing one data
 * directory would corrupt it. Whoever opens it (the server or a command) holds this lock file
 * inside the directory; a lock whose process has died is taken over.
 */
export interface LockHolder {
  pid: number;
  kind: 'server' | 'command';
  /** The command line, or the server's address. */
  what: string;
  port?: number;
  host?: string;
  since: string;
}

const LOCK_FILE = 'rhizome.lock.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && alive(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

function heldMessage(dataDir: string, holder: LockHolder): string {
  if (holder.kind === 'server') {
    const url = holder.port ? ` at http://${holder.host ?? '127.0.0.1'}:${holder.port}` : '';
    return `the Rhizome server (pid ${holder.pid}${url}) holds ${dataDir}; stop it first, or use its HTTP API`;
  }
  return `another rhizome command (pid ${holder.pid}: ${holder.what}) is using ${dataDir}; wait for it to finish`;
}

/** Takes the data directory for this process, or fails with a one-line reason. Returns the release. */
export function acquireLock(dataDir: string, holder: Omit<LockHolder, 'pid' | 'since'>): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockHolder = { ...holder, pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readLock(dataDir)?.pid === process.pid) rmSync(file);
        } catch {
          // Already gone.
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readLock(dataDir);
      if (current && current.pid !== process.pid)
        throw new AppError('conflict', heldMessage(dataDir, current));
      // A stale lock from a process that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new AppError('conflict', `could not lock ${dataDir}`);
}

/** Records where the holding server actually listens (after binding port 0, say). */
export function updateLock(dataDir: string, patch: Partial<Pick<LockHolder, 'port' | 'host'>>): void {
  const current = readLock(dataDir);
  if (current?.pid !== process.pid) return;
  writeFileSync(path.join(dataDir, LOCK_FILE), JSON.stringify({ ...current, ...patch }));
}
