/** Stable codes for everything the protocol layer can reject. */
export const WyomingErrorCode = {
  HEADER_TOO_LARGE: 'WY_ERR_HEADER_TOO_LARGE',
  DATA_TOO_LARGE: 'WY_ERR_DATA_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'WY_ERR_PAYLOAD_TOO_LARGE',
  BAD_HEADER_JSON: 'WY_ERR_BAD_HEADER_JSON',
  BAD_HEADER: 'WY_ERR_BAD_HEADER',
  MISSING_TYPE: 'WY_ERR_MISSING_TYPE',
  BAD_LENGTH: 'WY_ERR_BAD_LENGTH',
  BAD_DATA_JSON: 'WY_ERR_BAD_DATA_JSON',
  BAD_EVENT_DATA: 'WY_ERR_BAD_EVENT_DATA',
  DECODER_FAILED: 'WY_ERR_DECODER_FAILED',
} as const;

export type WyomingErrorCode = (typeof WyomingErrorCode)[keyof typeof WyomingErrorCode];

export class WyomingProtocolError extends Error {
  override readonly name = 'WyomingProtocolError';
  readonly code: WyomingErrorCode;

  constructor(code: WyomingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
