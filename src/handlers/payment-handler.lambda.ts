import { paymentHandler, stores } from './payment-entry';
import { PaymentService } from './payments';

/** The payment handler of a payment API without a processor: payments are recorded as `accepted`. */
export const handler = paymentHandler(new PaymentService(stores));
