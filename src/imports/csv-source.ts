import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { AppError } from '../errors.js';

/** What the first bytes of a file say about how to read it. */
export interface CsvDialect {
  delimiter: ',' | ';' | '\t';
  encoding: 'utf-8' | 'windows-1252';
}

const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t'] as const;

/**
 * Counts each candidate delimiter outside quotes on the first line and picks the most frequent
 * (comma on a tie or when none appears: a one-column file). Header names rarely hold delimiters,
 * so the header line alone decides.
 */
export function sniffDelimiter(text: string): CsvDialect['delimiter'] {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: CsvDialect['delimiter'] = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * Reads the start of a file: its delimiter and its encoding. UTF-8 (with or without BOM) is the
 * norm; a file that is not valid UTF-8 is read as Windows-1252 (what spreadsheet programs on
 * Windows write), rather than turning every accented name into U+FFFD. UTF-16 is refused with a
 * message saying how to fix it.
 */
export async function sniffFile(file: string): Promise<CsvDialect> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new AppError(
      'bad_request',
      `cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.code}`,
    );
  });
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return sniffBytes(buffer.subarray(0, bytesRead), bytesRead < SNIFF_BYTES);
  } finally {
    await handle.close();
  }
}

export function sniffBytes(bytes: Uint8Array, complete: boolean): CsvDialect {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new AppError('bad_request', 'the file is UTF-16; save it as CSV UTF-8 and import again');
  }
  // Cut at the last newline so that a multi-byte character split by the sniff window is not
  // mistaken for bad UTF-8.
  let end = bytes.length;
  if (!complete) {
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline > 0) end = lastNewline;
  }
  let encoding: CsvDialect['encoding'] = 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    encoding = 'windows-1252';
  }
  const text = new TextDecoder(encoding).decode(bytes.subarray(0, end));
  return { delimiter: sniffDelimiter(text.replace(/^\uFEFF/, '')), encoding };
}

/** SHA-256 of a file, streamed: how a rerun of the same file finds the import it resumes. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** One CSV record with where it came from. */
export interface SourceRecord {
  fields: string[];
  /** The source line the record starts on (1-based; the header is line 1). */
  line: number;
  /** The source line it ends on (a quoted field may span lines). */
  endLine: number;
  /** A record the parser could not read: why (the fields are then the raw text, in one field). */
  error?: string;
}

/** Newlines inside a record's fields: how many more source lines it takes than one. */
export function countNewlines(fields: string[]): number {
  let n = 0;
  for (const field of fields) {
    let at = field.indexOf('\n');
    while (at !== -1) {
      n++;
      at = field.indexOf('\n', at + 1);
    }
  }
  return n;
}

/** Counts the bytes read from the file, for progress and ETA. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Decodes Windows-1252 into UTF-8 text for the parser. */
class Cp1252Decoder extends Transform {
  private readonly decoder = new TextDecoder('windows-1252');
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, this.decoder.decode(chunk, { stream: true }));
  }
  override _flush(done: TransformCallback): void {
    done(null, this.decoder.decode());
  }
}

export interface CsvReader {
  records: AsyncIterable<SourceRecord>;
  /** Bytes read from the file so far. */
  bytesRead(): number;
  close(): void;
}

/**
 * Streams a CSV file record by record with backpressure (the file is read only as fast as the
 * consumer takes records), in constant memory. Quoted fields may hold delimiters, quotes and
 * newlines; CRLF and LF both end records; a BOM is dropped. A stray quote inside an unquoted
 * field is kept as text (relax_quotes) instead of swallowing the rest of the file. Records the
 * parser cannot read come through with `error` set, in order, so the caller can reject them.
 */
export function readCsv(file: string, dialect: CsvDialect): CsvReader {
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const counter = new ByteCounter();
  // Line numbers are counted here rather than with the parser's `info` (which doubled its cost):
  // every record takes one line plus the newlines inside its quoted fields; an empty line comes
  // through as one empty field and is passed over by the caller like any blank row.
  const parser = parse({
    delimiter: dialect.delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
  });
  // With relaxed quotes and column counts, the parser gives up on a record only when a quoted
  // field never closes (which runs to the end of the file). Such records come last.
  const skipped: { code: string | undefined }[] = [];
  parser.on('skip', (error: Error & { code?: string }) => {
    skipped.push({ code: error.code });
  });
  const onError = (error: Error) => parser.destroy(error);
  input.on('error', onError);
  let source: NodeJS.ReadableStream = input.pipe(counter);
  if (dialect.encoding === 'windows-1252') source = source.pipe(new Cp1252Decoder());
  source.pipe(parser);

  async function* records(): AsyncGenerator<SourceRecord> {
    let next = 1;
    for await (const fields of parser as AsyncIterable<string[]>) {
      const line = next;
      next += 1 + countNewlines(fields);
      yield { fields, line, endLine: next - 1 };
    }
    for (const { code } of skipped) {
      // The parser does not say where the broken record began: it is the line after the last good one.
      const text = await readLineAt(file, dialect, next);
      yield {
        fields: [text],
        line: next,
        endLine: next,
        error:
          code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quoted field is never closed: the rest of the file from this line on could not be read'
            : `unreadable CSV (${code ?? 'parse error'})`,
      };
    }
  }

  return {
    records: records(),
    bytesRead: () => counter.bytes,
    close() {
      input.destroy();
      parser.destroy();
    },
  };
}

/** The text of one source line (at most 1,000 characters), for a record the parser gave up on. */
async function readLineAt(file: string, dialect: CsvDialect, line: number): Promise<string> {
  const decoder = new TextDecoder(dialect.encoding);
  let current = 1;
  let text = '';
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    const part = decoder.decode(chunk as Buffer, { stream: true });
    let from = 0;
    while (current < line) {
      const at = part.indexOf('\n', from);
      if (at === -1) break;
      current++;
      from = at + 1;
    }
    if (current < line) continue;
    const end = part.indexOf('\n', from);
    text += part.slice(from, end === -1 ? undefined : end);
    if (end !== -1 || text.length >= 1000) break;
  }
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .slice(0, 1000);
}
