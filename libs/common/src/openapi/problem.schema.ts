import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type HeadersObject,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemCode, titleFor } from '../problem/problem.types';

export class FieldErrorSchema {
  @ApiProperty({ example: 'amount' })
  field: string;

  @ApiProperty({ example: 'amount must not be less than 0' })
  message: string;
}

/** RFC 9457 problem details as every error response carries them. */
export class ProblemDetailsSchema {
  @ApiProperty({ example: 'https://problems.bulk-rest.dev/validation-failed' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ example: 'The request is invalid' })
  detail: string;

  @ApiProperty({ enum: Object.values(ProblemCode), example: ProblemCode.ValidationFailed })
  code: string;

  @ApiPropertyOptional({ example: '/orders' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema] })
  errors?: FieldErrorSchema[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid request (`validation_failed`, `invalid_cursor`).',
  401: 'Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`.',
  404: 'Unknown id, or an id of another tenant (`not_found`).',
  408: 'The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was done.',
  409: 'State conflict.',
  413: 'Body too large (`payload_too_large`).',
  415: 'Unsupported body media type (`unsupported_media_type`).',
  422: 'Idempotency key reused with a different request (`idempotency_key_reused`).',
  429: 'Rate limited (`rate_limited`); see `Retry-After`.',
  503: 'A dependency is down (`service_unavailable`); see `Retry-After`.',
};

/**
 * The headers a problem of each status carries. `required` where every such answer has it (the
 * problem filter adds `WWW-Authenticate` to a 401 and `Retry-After` to a 503 that lack one; every
 * 429 names its wait); a 409 has `Retry-After` only for `idempotency_key_in_use`.
 */
const retryAfter = (required: boolean) => ({
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    required,
    schema: { type: 'integer', minimum: 0 },
  },
});
const PROBLEM_HEADERS: Record<number, HeadersObject> = {
  401: {
    'WWW-Authenticate': {
      description: 'The authentication scheme: `Bearer` (RFC 6750).',
      required: true,
      schema: { type: 'string', pattern: '^Bearer( |$)' },
    },
  },
  409: retryAfter(false),
  429: retryAfter(true),
  503: retryAfter(true),
};

/** Documents problem+json responses for the given statuses. */
export function ApiProblems(...statuses: (number | [number, string])[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsSchema),
    ...statuses.map((s) => {
      const [status, description] = Array.isArray(s) ? s : [s, DESCRIPTIONS[s] ?? titleFor(s)];
      return ApiResponse({
        status,
        description,
        headers: PROBLEM_HEADERS[status],
        content: {
          [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } },
        },
      });
    }),
  );
}

/** The problems every authenticated operation can return. */
export const ApiStandardProblems = () => ApiProblems(400, 401, 429, 503);
