import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newId } from '../db/ids.js';
import { AppError } from '../errors.js';

/** The largest CSV upload the API takes (a million-row file is ~150 MB). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export interface SavedUpload {
  file: string;
  sha256: string;
  size: number;
  remove(): Promise<void>;
}

/**
 * Streams a request body to a temporary file, hashing it on the way (constant memory, whatever
 * its size). Over `maxBytes` the upload stops with payload_too_large and nothing is kept.
 */
export async function saveUpload(
  body: NodeJS.ReadableStream,
  maxBytes = MAX_UPLOAD_BYTES,
): Promise<SavedUpload> {
  const dir = path.join(tmpdir(), 'rhizome-imports');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${newId()}.csv`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new AppError('payload_too_large', `the file is larger than ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('bad_request', 'the upload was interrupted', { cause: error });
  }
  return { file, sha256: hash.digest('hex'), size, remove: () => rm(file, { force: true }) };
}
