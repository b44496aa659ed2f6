import { AppError, errors } from "./errors";

/** The largest request body any route accepts (JSON and the login form are a few hundred bytes). */
export const MAX_BODY = 64 * 1024;

export const tooLarge = (max = MAX_BODY) => new AppError("payload_too_large", 413, `Body larger than ${max} bytes`);

/**
 * Reads a request body into memory, never more than `max` bytes of it: a declared Content-Length
 * over the cap is refused before anything is read, and a body without one (chunked) is read in
 * chunks as they arrive, the stream cancelled as soon as the total passes the cap (which stops
 * reading from the socket and drops the connection).
 */
export async function readCapped(req: Request, max = MAX_BODY): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared.trim())) throw errors.badRequest("Bad Content-Length");
    if (Number(declared) > max) throw tooLarge(max);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.byteLength);
  return out;
}

/** The capped body as UTF-8 text; invalid UTF-8 is a 400. */
export async function readCappedText(req: Request, max = MAX_BODY): Promise<string> {
  const bytes = await readCapped(req, max);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw errors.badRequest("Body is not valid UTF-8");
  }
}

/** An application/x-www-form-urlencoded body, parsed from the capped bytes (never formData()). */
export async function readForm(req: Request, max = MAX_BODY): Promise<URLSearchParams> {
  return new URLSearchParams(await readCappedText(req, max));
}
