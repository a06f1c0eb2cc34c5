import { processorFromEnvironment } from './lambda-processor';
import { paymentHandler, stores } from './payment-entry';
import { PaymentService } from './payments';

/**
 * The payment handler of a payment API with a processor: the same handler, with the processor that
 * `PaymentApi` configures (`PROCESSOR_FUNCTION_NAME`, `PROCESSOR_TIMEOUT_MS`,
 * `PROCESSOR_KEY_RETENTION_SECONDS`). Each call to it is one attempt: the retry is the client's or
 * the completer's, with the same idempotency key.
 */
export const handler = paymentHandler(new PaymentService({ ...stores, processor: processorFromEnvironment() }));
