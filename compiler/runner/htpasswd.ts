// htpasswd lines nginx's auth_basic_user_file accepts, with node:crypto only:
// RFC 2307 {SSHA} = base64(SHA1(password ‖ salt) ‖ salt) (nginx checks it
// itself, ngx_crypt.c, whatever the image's libc). A fast salted hash is not
// the weak point: the passwords are 32 random bytes, nothing to guess.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SHA1_BYTES = 20;

/** A new random password (256 bits, base64url: no character a file or header needs escaped). */
export const newPassword = () => randomBytes(32).toString('base64url');

export function sshaLine(user: string, password: string, salt: Buffer = randomBytes(8)): string {
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `${user}:{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** Whether `line` is `user`'s {SSHA} line for `password` (so apply keeps it instead of rewriting the Secret). */
export function sshaMatches(line: string, user: string, password: string): boolean {
  const prefix = `${user}:{SSHA}`;
  if (!line.startsWith(prefix)) return false;
  const raw = Buffer.from(line.slice(prefix.length), 'base64');
  if (raw.length <= SHA1_BYTES) return false;
  const expected = createHash('sha1').update(password).update(raw.subarray(SHA1_BYTES)).digest();
  return timingSafeEqual(expected, raw.subarray(0, SHA1_BYTES));
}
