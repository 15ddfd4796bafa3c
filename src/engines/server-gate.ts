/**
 * Who may talk to a model server now. Requests go out together while the server answers them
 * whole; once it cut one short, every later request (and every retry) goes alone, because
 * llama-cpp-python's server (with its default `--interrupt_requests`) ends a streamed answer
 * whenever another request waits: a retry sent beside others would be cut again.
 */
import { RequestAbortedError } from './errors';

export class ServerGate {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];
  /** True once the server cut an answer short: from then on one request at a time. */
  serial = false;

  /**
   * Waits for a turn; resolves with the function that gives it back. A request goes at once
   * unless the gate is serial (or `alone` asks for it), when it waits until nothing else is out.
   */
  async enter(alone: boolean, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new RequestAbortedError();
    if (!((alone || this.serial) && (this.active > 0 || this.waiting.length > 0))) {
      this.active++;
      return this.releaser();
    }
    // The turn is handed over with the slot already counted (see releaser), so nobody slips in.
    await new Promise<void>((ok, fail) => {
      const entry = {
        grant: () => {
          signal.removeEventListener('abort', drop);
          ok();
        },
      };
      const drop = (): void => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        fail(new RequestAbortedError());
      };
      signal.addEventListener('abort', drop, { once: true });
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      // Waiters go alone: the first gets the turn once nothing else is out.
      const next = this.active === 1 ? this.waiting.shift() : undefined;
      if (next) next.grant();
      else this.active--;
    };
  }
}
