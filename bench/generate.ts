import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A seeded synthetic people CSV: realistic-looking names, addresses, US phones and ZIPs, with a
 * known share of duplicate e-mails (the same person again, other spelling and phone) and of
 * malformed rows (bad e-mail, impossible date, wrong column count, bad phone). The same seed,
 * size and id offset always give the same bytes, so files are cached by those.
 */

export const HEADER = 'first_name,last_name,email,phone,address,city,state,zip,birthdate,tags';
export const COLUMNS = HEADER.split(',').length;

export interface GenerateOptions {
  seed: number;
  /** Data rows (excluding the header). */
  size: number;
  /** Share of rows that repeat an earlier row's e-mail (default 0.10). */
  duplicateRate?: number;
  /** Share of rows that are malformed (default 0.02). */
  malformedRate?: number;
  /** Person numbers start here; files with distinct offset ranges share no e-mails. */
  idOffset?: number;
}

export interface GenerateStats {
  seed: number;
  size: number;
  idOffset: number;
  duplicates: number;
  malformed: { email: number; date: number; columns: number; phone: number };
  /** Distinct valid people (e-mails) in the file. */
  distinctPeople: number;
  bytes: number;
}

/** mulberry32: a small, fast, seeded 32-bit PRNG (good enough for test data). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = (
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan ' +
  'Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra ' +
  'Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol ' +
  'Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura ' +
  'Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma ' +
  'Stephen Brenda Larry Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel ' +
  'Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis ' +
  'Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan Joyce Henry Lauren ' +
  'Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn Walter ' +
  'Hannah Christian Andrea Keith Megan Roger Cheryl Terry Jacqueline Austin Madison Sean Teresa Gerald ' +
  'Abigail Carl Sophia Harold Martha Dylan Sara Arthur Gloria Lawrence Janice Jordan Kathryn Jesse Ann ' +
  'Bryan Isabella Billy Judy Bruce Charlotte Gabriel Julia Joe Grace Logan Amber Alan Alice Juan Jean ' +
  'Albert Denise Willie Frances Elijah Danielle Wayne Marilyn Randy Natalie Vincent Beverly Mason Diana ' +
  'Roy Brittany Ralph Theresa Bobby Kayla Russell Alexis Bradley Doris Philip Lori Eugene Tiffany ' +
  'Guadalupe Lucia Mateo Camila Santiago Valentina Diego Ximena Luis Fernanda Wei Mei Hiroshi Yuki ' +
  'Aisha Omar Fatima Ahmed Priya Arjun Ananya Rohan Nguyen Linh Kwame Amara Chidi Ngozi Dmitri Olga'
).split(' ');

const FAMILY = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez ' +
  'Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark ' +
  'Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams ' +
  'Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker ' +
  'Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper ' +
  'Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James ' +
  'Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez ' +
  'Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez ' +
  'Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole ' +
  'Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens ' +
  'Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker ' +
  'Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz ' +
  'Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice ' +
  'Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley ' +
  'Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham ' +
  'Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston ' +
  'Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Okafor Mensah Tanaka Sato Wang ' +
  'Zhang Liu Singh Kumar Sharma Haddad Khalil Popescu Novak Kowalski Ivanova Horvat Lindqvist Okonkwo'
).split(' ');

const STREETS = (
  'Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Sunset Lincoln Jefferson Highland ' +
  'Madison Church Willow River Spring Center Adams Franklin Chestnut Ridge Meadow Forest Jackson Broadway ' +
  'Market Mission Valencia Telegraph Shattuck International Foothill MacArthur Grand Fruitvale Alameda'
).split(' ');
const SUFFIXES = ['St', 'Ave', 'Blvd', 'Rd', 'Way', 'Ln', 'Dr', 'Ct', 'Pl', 'Ter'];
const DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'proton.me',
  'aol.com',
];

/** City, state, ZIP prefix (3 digits) and area codes: ZIPs and phones look local. */
const CITIES: [string, string, string, string[]][] = [
  ['Oakland', 'CA', '946', ['510', '341']],
  ['Berkeley', 'CA', '947', ['510']],
  ['San Francisco', 'CA', '941', ['415', '628']],
  ['Los Angeles', 'CA', '900', ['213', '323', '310']],
  ['Fresno', 'CA', '937', ['559']],
  ['Portland', 'OR', '972', ['503', '971']],
  ['Seattle', 'WA', '981', ['206']],
  ['Phoenix', 'AZ', '850', ['602', '480']],
  ['Denver', 'CO', '802', ['303', '720']],
  ['Houston', 'TX', '770', ['713', '832']],
  ['San Antonio', 'TX', '782', ['210']],
  ['Chicago', 'IL', '606', ['312', '773']],
  ['Detroit', 'MI', '482', ['313']],
  ['Minneapolis', 'MN', '554', ['612']],
  ['Atlanta', 'GA', '303', ['404', '470']],
  ['Miami', 'FL', '331', ['305', '786']],
  ['New York', 'NY', '100', ['212', '646', '917']],
  ['Brooklyn', 'NY', '112', ['718', '347']],
  ['Philadelphia', 'PA', '191', ['215', '267']],
  ['Boston', 'MA', '021', ['617', '857']],
  ['Baltimore', 'MD', '212', ['410', '443']],
  ['Durham', 'NC', '277', ['919']],
  ['Nashville', 'TN', '372', ['615']],
  ['New Orleans', 'LA', '701', ['504']],
];

/** Rows with a comma or quote in a field get quoted (street names here have neither; kept for safety). */
const field = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

interface Person {
  given: string;
  family: string;
  email: string;
  phone: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  birthdate: string;
  tags: string;
}

/** Tags in the CSV and the share of people carrying each (search picks from these). */
export const TAGS: [string, number][] = [
  ['member', 0.3],
  ['volunteer', 0.15],
  ['donor', 0.05],
  ['phonebank-2024', 0.02],
  ['steward', 0.002],
];

/** Digits 2-9 then two digits: a valid NANP exchange. */
function nanpLine(rand: () => number, area: string): string {
  const exchange = 200 + Math.floor(rand() * 800);
  const line = Math.floor(rand() * 10000)
    .toString()
    .padStart(4, '0');
  return `${area}${exchange}${line}`;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

function makePerson(rand: () => number, n: number): Person {
  const given = pick(rand, GIVEN);
  const family = pick(rand, FAMILY);
  const [city, state, zip3, areas] = pick(rand, CITIES);
  const area = pick(rand, areas);
  const number = nanpLine(rand, area);
  const style = Math.floor(rand() * 4);
  const phone =
    style === 0
      ? `(${area}) ${number.slice(3, 6)}-${number.slice(6)}`
      : style === 1
        ? `${area}-${number.slice(3, 6)}-${number.slice(6)}`
        : style === 2
          ? `+1${number}`
          : number;
  const y = 1940 + Math.floor(rand() * 66);
  const m = 1 + Math.floor(rand() * 12);
  const d = 1 + Math.floor(rand() * 28);
  // The person number makes every e-mail unique, so the only repeated e-mails are the planted ones.
  const sep = pick(rand, ['.', '_', '', '.']);
  return {
    given,
    family,
    email: `${given.toLowerCase()}${sep}${family.toLowerCase()}${n}@${pick(rand, DOMAINS)}`,
    phone,
    street: `${1 + Math.floor(rand() * 9899)} ${pick(rand, STREETS)} ${pick(rand, SUFFIXES)}`,
    city,
    state,
    zip: `${zip3}${Math.floor(rand() * 100)
      .toString()
      .padStart(2, '0')}`,
    birthdate: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    tags: TAGS.filter(([, share]) => rand() < share)
      .map(([name]) => name)
      .join(';'),
  };
}

const line = (p: Person): string =>
  [p.given, p.family, p.email, p.phone, p.street, p.city, p.state, p.zip, p.birthdate, p.tags]
    .map(field)
    .join(',');

/**
 * Rows as CSV lines (no header), lazily. Row kinds are drawn per row: about duplicateRate repeat
 * an earlier e-mail (the same person, names and birthdate, with an upper-cased e-mail and maybe a new phone, as people show
 * up in a second list), about malformedRate are broken in one of four ways.
 */
export function* generateRows(options: GenerateOptions, stats?: GenerateStats): Generator<string> {
  const rand = mulberry32(options.seed);
  const dupRate = options.duplicateRate ?? 0.1;
  const badRate = options.malformedRate ?? 0.02;
  const offset = options.idOffset ?? 0;
  // A bounded pool of earlier valid people to duplicate from keeps memory flat at any size.
  const pool: Person[] = [];
  const POOL = 50_000;
  for (let i = 0; i < options.size; i++) {
    const r = rand();
    if (r < badRate) {
      const p = makePerson(rand, offset + i);
      const kind = Math.floor(rand() * 4);
      if (stats) {
        if (kind === 0) stats.malformed.email++;
        else if (kind === 1) stats.malformed.date++;
        else if (kind === 2) stats.malformed.columns++;
        else stats.malformed.phone++;
      }
      if (kind === 0) p.email = p.email.replace('@', pick(rand, ['', ' at ', '@@']));
      else if (kind === 1) p.birthdate = pick(rand, ['2019-13-40', '1985-02-30', '31/31/1990', 'soon']);
      else if (kind === 2) {
        const cells = line(p).split(',');
        yield rand() < 0.5 ? cells.slice(0, 5).join(',') : `${cells.join(',')},extra,cells`;
        continue;
      } else p.phone = pick(rand, ['12', '555-CALL-NOW', '000', '+1 (000) 000']);
      yield line(p);
    } else if (r < badRate + dupRate && pool.length > 0) {
      const orig = pool[Math.floor(rand() * pool.length)] as Person;
      const [, , , areas] = CITIES.find((c) => c[0] === orig.city) as [string, string, string, string[]];
      const again: Person = {
        ...orig,
        email: orig.email.toUpperCase(),
        // Half the time a new phone, as people show up in a second list.
        phone: rand() < 0.5 ? nanpLine(rand, pick(rand, areas)) : orig.phone,
      };
      if (stats) stats.duplicates++;
      yield line(again);
    } else {
      const p = makePerson(rand, offset + i);
      if (pool.length < POOL) pool.push(p);
      else pool[Math.floor(rand() * POOL)] = p;
      if (stats) stats.distinctPeople++;
      yield line(p);
    }
  }
}

const emptyStats = (o: GenerateOptions): GenerateStats => ({
  seed: o.seed,
  size: o.size,
  idOffset: o.idOffset ?? 0,
  duplicates: 0,
  malformed: { email: 0, date: 0, columns: 0, phone: 0 },
  distinctPeople: 0,
  bytes: 0,
});

/** Streams lines to a file with backpressure, in ~1 MB writes. Returns bytes written. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let buf = `${HEADER}\n`;
  let bytes = 0;
  for (const l of lines) {
    buf += `${l}\n`;
    if (buf.length > 1 << 20) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  bytes += Buffer.byteLength(buf);
  out.end(buf);
  await once(out, 'finish');
  renameSync(tmp, file);
  return bytes;
}

/** Writes the CSV for these options to outPath (streamed, with backpressure); returns its statistics. */
export async function generatePeopleCsv(outPath: string, options: GenerateOptions): Promise<GenerateStats> {
  mkdirSync(path.dirname(outPath), { recursive: true });
  const stats = emptyStats(options);
  stats.bytes = await writeLines(outPath, generateRows(options, stats));
  return stats;
}

/**
 * The CSV for these options under dir, generated once and then reused (cached by seed, size,
 * rates and id offset). Returns the path and the row statistics.
 */
export async function ensurePeopleCsv(
  dir: string,
  options: GenerateOptions,
): Promise<{ file: string; stats: GenerateStats }> {
  mkdirSync(dir, { recursive: true });
  const dup = options.duplicateRate ?? 0.1;
  const bad = options.malformedRate ?? 0.02;
  const rates = dup === 0.1 && bad === 0.02 ? '' : `-d${dup}-m${bad}`;
  const offset = options.idOffset ? `-o${options.idOffset}` : '';
  const name = `people-${options.seed}-${options.size}${offset}${rates}`;
  const file = path.join(dir, `${name}.csv`);
  const statsFile = path.join(dir, `${name}.json`);
  if (existsSync(file) && existsSync(statsFile)) {
    return { file, stats: JSON.parse(readFileSync(statsFile, 'utf8')) as GenerateStats };
  }
  const stats = await generatePeopleCsv(file, options);
  writeFileSync(statsFile, JSON.stringify(stats, null, 2));
  return { file, stats };
}

/**
 * A list where some people already exist: the first `existing` rows of the base file (the
 * generator is lazy and deterministic, so they are regenerated rather than read back) followed by
 * `fresh` rows from another seed whose person numbers start past the base file's.
 */
export async function ensureMixedCsv(
  dir: string,
  base: GenerateOptions,
  existing: number,
  fresh: GenerateOptions,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `reimport-${base.seed}-${existing}-${fresh.seed}-${fresh.size}.csv`);
  if (existsSync(file)) return file;
  function* all(): Generator<string> {
    yield* generateRows({ ...base, size: Math.min(existing, base.size) });
    yield* generateRows(fresh);
  }
  await writeLines(file, all());
  return file;
}

/** Command line: `node bin/run-ts.js bench/generate.ts SEED SIZE` prints the file and stats. */
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename ?? '')) {
  const seed = Number(process.argv[2] ?? 1);
  const size = Number(process.argv[3] ?? 1000);
  const t0 = performance.now();
  const result = await ensurePeopleCsv(path.join(import.meta.dirname, 'data'), { seed, size });
  console.log(result.file, result.stats, `${Math.round(performance.now() - t0)} ms`);
}
