import { CONTRACT_VERSION, openApiDocument } from './private/openapi-document';

/**
 * The OpenAPI 3.1 document of the payments API that `PaymentApi` deploys and
 * `payment-platform-local` serves: every operation, request schema with its limits, response
 * status, body, error code and header. It is built from the handler's own rules, and the package
 * also ships it as `openapi.json` at its root.
 *
 * @example
 * const document = PaymentsApiDocument.toJson();
 */
export class PaymentsApiDocument {
  /** The version of the payments API's wire contract that the document describes. */
  public static readonly CONTRACT_VERSION = CONTRACT_VERSION;

  /** The document as JSON text, indented by two spaces, as in `openapi.json`. */
  public static toJson(): string {
    return `${JSON.stringify(openApiDocument(), undefined, 2)}\n`;
  }

  /** The document as an object (a map or dictionary in the other languages). */
  public static toObject(): any {
    return openApiDocument();
  }

  private constructor() {}
}
