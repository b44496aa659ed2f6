// @ts-check
// Minimal writer for the Linux initramfs "newc" cpio format: regular files, directories, symlinks.
import { closeSync, openSync, writeSync } from "node:fs";

/** @param {number} n */
const hex = (n) => n.toString(16).padStart(8, "0");
/** @param {number} n */
const pad4 = (n) => (4 - (n % 4)) % 4;

export class CpioWriter {
  /** @param {string} file */
  constructor(file) {
    this.fd = openSync(file, "w");
    this.ino = 1;
  }

  /** @param {string} name @param {number} mode @param {Buffer} data */
  #entry(name, mode, data) {
    const nameBuf = Buffer.from(name + "\0");
    const header = "070701" + [this.ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0].map(hex).join("");
    writeSync(this.fd, Buffer.from(header));
    writeSync(this.fd, nameBuf);
    writeSync(this.fd, Buffer.alloc(pad4(110 + nameBuf.length)));
    if (data.length) writeSync(this.fd, data);
    writeSync(this.fd, Buffer.alloc(pad4(data.length)));
  }

  /** @param {string} name */
  dir(name, perm = 0o755) {
    this.#entry(name, 0o040000 | perm, Buffer.alloc(0));
  }

  /** @param {string} name @param {Buffer | string} data */
  file(name, data, perm = 0o644) {
    this.#entry(name, 0o100000 | perm, Buffer.isBuffer(data) ? data : Buffer.from(data));
  }

  /** @param {string} name @param {string} target */
  symlink(name, target) {
    this.#entry(name, 0o120777, Buffer.from(target));
  }

  close() {
    this.#entry("TRAILER!!!", 0, Buffer.alloc(0));
    closeSync(this.fd);
  }
}
