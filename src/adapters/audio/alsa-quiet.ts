/**
 * ALSA's library prints its own errors straight to stderr: PortAudio probing a machine with no
 * sound card gives dozens of `ALSA lib …` lines before anything useful. For commands that only
 * list devices, this gives libasound an error handler (through koffi) that drops them. Best
 * effort: without koffi or libasound nothing changes. The handler stays for the process's life,
 * so use it only in short-lived commands, not in the daemon (whose logs want ALSA's complaints).
 */
import { createRequire } from 'node:module';

let quiet = false;

/** Silences ALSA's own error printing in this process; true when it took effect. */
export function quietAlsaErrors(): boolean {
  if (quiet) return true;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load('libasound.so.2');
    // snd_lib_error_handler_t is variadic; the handler reads none of the arguments.
    const handler = koffi.proto('void satellite_alsa_error_handler(const char *file, int line, const char *func, int err, const char *fmt)');
    const setHandler = lib.func('int snd_lib_error_set_handler(satellite_alsa_error_handler *handler)');
    const drop = koffi.register(() => undefined, koffi.pointer(handler));
    quiet = setHandler(drop) === 0;
  } catch {
    return false;
  }
  return quiet;
}
