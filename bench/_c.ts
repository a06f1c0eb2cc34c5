import { measureColdStart } from './cold-start';
const [a, b, n] = process.argv.slice(2);
const r = measureColdStart({ paymentBundle: a, floorBundle: b, processes: Number(n) });
console.log(a.split('/').slice(-2).join('/'), r.payment.medianMs.toFixed(1), 'vs', r.floor.medianMs.toFixed(1), (r.payment.medianMs / r.floor.medianMs).toFixed(3), r.payment.bytes);
