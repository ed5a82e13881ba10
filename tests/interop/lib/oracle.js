// Drives a ckms interop oracle (tests/interop/oracle/oracle_*.c): one command
// per line in, one "ok ..." or "err ..." line out.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const binDir = process.env.CKMS_BIN_DIR ||
  path.join(__dirname, '..', '..', '..', 'build', 'bin');

class Oracle {
  constructor(name) {
    this.exe = path.join(binDir, `ckms-oracle-${name}`);
    this.proc = spawn(this.exe, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.pending = [];
    this.proc.on('error', (e) => { for (const p of this.pending.splice(0)) p.reject(e); });
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const p = this.pending.shift();
      if (!p) return;
      if (line.startsWith('ok')) {
        const rest = line.slice(2).trim();
        p.resolve(rest === '' ? [] : rest.split(' '));
      } else {
        const err = new Error(`${this.exe}: ${line}`);
        err.code = line.split(' ')[1];
        p.reject(err);
      }
    });
  }

  // Runs one command; arguments are Buffers/Uint8Arrays (sent as hex, "-" when
  // empty) or strings (sent as they are). Resolves to the result tokens.
  call(cmd, ...args) {
    const words = args.map((a) => {
      if (typeof a === 'string') return a;
      const hex = Buffer.from(a).toString('hex');
      return hex === '' ? '-' : hex;
    });
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.proc.stdin.write([cmd, ...words].join(' ') + '\n');
    });
  }

  close() { this.proc.stdin.end(); }
}

const hex = (s) => Buffer.from(s === '-' ? '' : s, 'hex');

module.exports = { Oracle, hex };
