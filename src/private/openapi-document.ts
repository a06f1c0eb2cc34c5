import { ACTIVE_CURRENCIES } from '../handlers/currencies';
import { MAX_ECHOED_CHARACTERS } from '../handlers/errors';
import {
  IDEMPOTENCY_KEY,
  MAX_AMOUNT,
  MAX_BODY_BYTES,
  MAX_DESCRIPTION_LENGTH,
  MAX_METADATA_ENTRIES,
  MAX_METADATA_KEY_LENGTH,
  MAX_METADATA_VALUE_LENGTH,
  MAX_TOKEN_LENGTH,
  MERCHANT_ID,
  MIN_AMOUNT,
} from '../handlers/payment-request';
import { DECLINE_CODE, PROCESSOR_REFERENCE } from '../handlers/processor-protocol';

/** The version of the wire contract (`payments-api.md`) that the document describes. */
export const CONTRACT_VERSION = '3';

/** An error code of the contract, the statuses it comes with, and who answers it. */
interface ErrorCode {
  readonly code: string;
  readonly statuses: readonly number[];
  readonly meaning: string;
}

/**
 * Every error code of the contract. The handler answers most; API Gateway answers `forbidden`,
 * `rate_limited` and `gateway_timeout` itself, in the same body (see `gateway-responses.ts`), and
 * `bad_request` for any other request it refuses before the handler.
 */
export const ERROR_CODES: readonly ErrorCode[] = [
  { code: 'missing_idempotency_key', statuses: [400], meaning: 'the `Idempotency-Key` header is missing' },
  { code: 'invalid_idempotency_key', statuses: [400], meaning: 'the `Idempotency-Key` header is repeated, or not 1–255 visible ASCII characters' },
  { code: 'invalid_json', statuses: [400], meaning: 'the body is not one UTF-8 JSON object, repeats a member name or nests deeper than 32 levels' },
  { code: 'card_data_rejected', statuses: [400], meaning: 'a string of the body (a value or a key, at any depth) holds a card number' },
  { code: 'validation_error', statuses: [400], meaning: 'one or more fields break a rule; `details` names every one' },
  { code: 'bad_request', statuses: [400], meaning: 'API Gateway refused the request before the handler' },
  { code: 'payment_declined', statuses: [402], meaning: 'the processor declined the payment; a recorded outcome, replayed to a retry' },
  { code: 'forbidden', statuses: [403], meaning: 'no valid API key (or signature where IAM authorization is on), or no such route' },
  { code: 'not_found', statuses: [404], meaning: 'no payment of the calling client has this id' },
  { code: 'idempotency_in_progress', statuses: [409], meaning: 'the first request with this key is still running' },
  { code: 'payload_too_large', statuses: [413], meaning: `the body is larger than ${MAX_BODY_BYTES} bytes` },
  { code: 'unsupported_media_type', statuses: [415], meaning: 'the `Content-Type` is not `application/json`' },
  { code: 'idempotency_key_reused', statuses: [422], meaning: 'this client used the key before with another body' },
  { code: 'rate_limited', statuses: [429], meaning: 'the client or the stage is over its rate, or the usage plan quota is used up' },
  { code: 'internal_error', statuses: [500, 502, 503], meaning: 'anything unexpected; quote the request id' },
  { code: 'service_unavailable', statuses: [503], meaning: 'a dependency (the ledger) is throttled, unavailable or too slow; retry with the same key' },
  { code: 'processor_unavailable', statuses: [503], meaning: 'the processor failed, timed out or answered something invalid; the payment stays `pending`' },
  { code: 'gateway_timeout', statuses: [504], meaning: 'API Gateway gave up waiting; retry with the same key to learn the outcome' },
];

/** The error codes each operation may answer, by status. */
const POST_ERRORS: Record<number, readonly string[]> = {
  400: ['missing_idempotency_key', 'invalid_idempotency_key', 'invalid_json', 'card_data_rejected', 'validation_error', 'bad_request'],
  402: ['payment_declined'],
  403: ['forbidden'],
  409: ['idempotency_in_progress'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  422: ['idempotency_key_reused'],
  429: ['rate_limited'],
  500: ['internal_error'],
  502: ['internal_error'],
  503: ['service_unavailable', 'processor_unavailable', 'internal_error'],
  504: ['gateway_timeout'],
};
const GET_ERRORS: Record<number, readonly string[]> = {
  403: ['forbidden'],
  404: ['not_found'],
  429: ['rate_limited'],
  500: ['internal_error'],
  502: ['internal_error'],
  503: ['service_unavailable', 'internal_error'],
  504: ['gateway_timeout'],
};

/** Statuses whose answers carry `Retry-After`. */
const RETRY_AFTER_STATUSES = new Set([429, 503, 504]);

const PAYMENT_STATUSES = ['accepted', 'pending', 'authorized', 'declined'];

function header(description: string, schema: Record<string, unknown>, required = false) {
  return { description, required, schema };
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': header('Always `nosniff`.', { type: 'string', const: 'nosniff' }),
};

const LOCATION = header('`/payments/{transactionId}` of the payment.', { type: 'string', pattern: '^/payments/[0-9a-f-]{36}$' }, true);

function errorResponse(codes: readonly string[], status: number) {
  const headers: Record<string, unknown> = { ...COMMON_HEADERS };
  if (RETRY_AFTER_STATUSES.has(status)) {
    headers['Retry-After'] = header('Seconds to wait before a retry, a whole number of at least 1.', { type: 'string', pattern: '^[1-9][0-9]*$' });
  }
  if (status === 402) {
    headers.Location = LOCATION;
  }
  const meanings = ERROR_CODES.filter((error) => codes.includes(error.code)).map((error) => `- \`${error.code}\`: ${error.meaning}`);
  return {
    description: meanings.join('\n'),
    headers,
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Error' },
            { properties: { error: { properties: { code: { enum: [...codes] } } } } },
          ],
        },
      },
    },
  };
}

function errorResponses(errors: Record<number, readonly string[]>) {
  return Object.fromEntries(Object.entries(errors).map(([status, codes]) => [status, errorResponse(codes, Number(status))]));
}

const PAYMENT_REQUEST = {
  type: 'object',
  description: 'A payment to make. Besides this schema: the body is at most '
    + `${MAX_BODY_BYTES} bytes of UTF-8 JSON (413 above), repeats no member name and nests at most 32 levels (400 \`invalid_json\`), `
    + '`amount` is written as a JSON integer (`1999`, never `1999.0` or `1.999e3`), every string is well-formed Unicode, '
    + 'and no string (a value or a key, at any depth) holds a card number (400 `card_data_rejected`). Lengths count Unicode code points.',
  required: ['amount', 'currency', 'merchantId', 'paymentMethodToken'],
  additionalProperties: false,
  properties: {
    amount: { type: 'integer', minimum: MIN_AMOUNT, maximum: MAX_AMOUNT, description: 'In minor units (cents).', examples: [1999] },
    currency: {
      type: 'string',
      description: 'The upper-case ISO 4217 code of an active currency.',
      enum: [...ACTIVE_CURRENCIES].sort(),
      examples: ['USD'],
    },
    merchantId: { type: 'string', minLength: 1, maxLength: 64, pattern: MERCHANT_ID.source, examples: ['m_1'] },
    paymentMethodToken: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_TOKEN_LENGTH,
      description: 'An opaque token issued by a card vault; never a card number.',
      examples: ['tok_visa'],
    },
    description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH },
    metadata: {
      type: 'object',
      maxProperties: MAX_METADATA_ENTRIES,
      propertyNames: { minLength: 1, maxLength: MAX_METADATA_KEY_LENGTH },
      additionalProperties: { type: 'string', maxLength: MAX_METADATA_VALUE_LENGTH },
    },
  },
};

const PAYMENT = {
  type: 'object',
  required: ['transactionId', 'status', 'amount', 'currency', 'merchantId', 'createdAt'],
  additionalProperties: false,
  properties: {
    transactionId: { type: 'string', format: 'uuid' },
    status: {
      type: 'string',
      enum: PAYMENT_STATUSES,
      description: '`accepted` without a processor; `pending` until the processor\'s outcome, `authorized` or `declined`, is recorded.',
    },
    amount: PAYMENT_REQUEST.properties.amount,
    currency: PAYMENT_REQUEST.properties.currency,
    merchantId: PAYMENT_REQUEST.properties.merchantId,
    createdAt: { type: 'string', format: 'date-time', description: 'RFC 3339, UTC, fixed when the payment was claimed.' },
    processorReference: { type: 'string', pattern: PROCESSOR_REFERENCE.source, description: 'The processor\'s id of the payment, once recorded.' },
    declineCode: { type: 'string', pattern: DECLINE_CODE.source, description: 'The processor\'s reason for a decline.' },
  },
};

const ERROR = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: ERROR_CODES.map((error) => error.code) },
        message: { type: 'string', description: 'A sentence for people; never a stack trace, an AWS error text or a card number.' },
        requestId: { type: 'string' },
        details: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['field', 'issue'],
            additionalProperties: false,
            properties: {
              field: { type: 'string', maxLength: MAX_ECHOED_CHARACTERS, description: `The field, cut to ${MAX_ECHOED_CHARACTERS} characters.` },
              issue: { type: 'string' },
            },
          },
        },
        declineCode: PAYMENT.properties.declineCode,
        transactionId: PAYMENT.properties.transactionId,
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the payments API, built from the handler's own rules (limits,
 * patterns, currencies, error codes), so that the document and the code cannot disagree.
 */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Payments API',
      version: CONTRACT_VERSION,
      description: 'The payments API that `PaymentApi` of @org/payment-platform deploys, and that '
        + '`payment-platform-local` serves on loopback. Every request needs an API key in `x-api-key` '
        + '(or, where IAM authorization is on, a SigV4 signature too). Where a processor is configured, '
        + 'a payment is `pending` until its outcome is recorded, and a 503 `processor_unavailable` or '
        + '`service_unavailable` is settled by a retry with the same `Idempotency-Key` and body.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'A deployed PaymentApi',
        variables: {
          restApiId: { default: 'abcdef1234' },
          region: { default: 'us-east-1' },
          stage: { default: 'prod' },
        },
      },
      { url: 'http://127.0.0.1:4010', description: 'payment-platform-local, on its default port' },
    ],
    security: [{ apiKey: [] }],
    paths: {
      '/payments': {
        post: {
          operationId: 'createPayment',
          summary: 'Make a payment, once per Idempotency-Key',
          parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PaymentRequest' } } } },
          responses: {
            201: {
              description: 'The payment: `accepted`, or `authorized` by the processor. A replay of the recorded answer repeats it byte for byte.',
              headers: {
                ...COMMON_HEADERS,
                'Location': LOCATION,
                'Idempotent-Replayed': header('`true` on a replay of the recorded answer.', { type: 'string', const: 'true' }),
              },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Payment' } } },
              links: {
                GetPayment: {
                  operationId: 'getPayment',
                  parameters: { transactionId: '$response.body#/transactionId' },
                },
              },
            },
            ...errorResponses(POST_ERRORS),
          },
        },
      },
      '/payments/{transactionId}': {
        get: {
          operationId: 'getPayment',
          summary: 'A payment of the calling client, with its current status',
          parameters: [{
            name: 'transactionId',
            in: 'path',
            required: true,
            description: 'The payment\'s id. An unknown id, a malformed one and another client\'s payment all answer 404.',
            schema: { type: 'string' },
          }],
          responses: {
            200: {
              description: 'The payment as it is now.',
              headers: COMMON_HEADERS,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Payment' } } },
            },
            ...errorResponses(GET_ERRORS),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description: 'Chosen by the client, one per payment: a retry with the same key and body answers the same outcome, and never makes a second payment. '
            + 'Keys belong to the calling client and are kept for at least 24 hours.',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY.source },
        },
      },
      schemas: { PaymentRequest: PAYMENT_REQUEST, Payment: PAYMENT, Error: ERROR },
    },
  };
}
