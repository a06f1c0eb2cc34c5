// Loaded with `node --import` before a bundled handler: moves the process's clock (`Date.now`)
// forward by CLOCK_OFFSET_MS, so that a retry or a completer run can come after a lease has run
// out without the test waiting for it. Nothing else of the process changes.
const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0);
const realNow = Date.now;
Date.now = () => realNow() + offset;
