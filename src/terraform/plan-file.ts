/**
 * What a saved plan file was made from. A Terraform plan file is a zip archive that keeps, beside the
 * plan itself, a copy of the root module's configuration files (`tfconfig/m-/<file>`). The file may
 * come from a pull request's job or a shared folder, so it is read as hostile: only the entries
 * asked for, each at most MAX_ENTRY_BYTES once inflated, and anything malformed is "not found".
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** More than any synthesized stack: a larger entry is refused, not inflated. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;

/** The stack configuration (`cdk.tf.json`) a plan file carries, or undefined when it carries none. */
export function planConfiguration(planFile: string, file = 'cdk.tf.json'): Buffer | undefined {
  try {
    return zipEntry(fs.readFileSync(planFile), `tfconfig/m-/${file}`);
  } catch {
    return undefined;
  }
}

/** One entry of a zip archive (stored or deflated), or undefined. */
export function zipEntry(zip: Buffer, name: string): Buffer | undefined {
  // The end-of-directory record: in the last 22 bytes, or before a comment of up to 64 KiB.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--)
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  if (end < 0) return undefined;
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let index = 0; index < entries; index++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) return undefined;
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const [nameLength, extraLength, commentLength] = [28, 30, 32].map((offset) => zip.readUInt16LE(at + offset));
    const local = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (size > MAX_ENTRY_BYTES || zip.readUInt32LE(local) !== LOCAL_ENTRY) return undefined;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (data.length !== compressed) return undefined;
    if (method === 0) return Buffer.from(data);
    if (method !== 8) return undefined;
    const inflated = zlib.inflateRawSync(data, { maxOutputLength: MAX_ENTRY_BYTES });
    return inflated.length === size ? inflated : undefined;
  }
  return undefined;
}
