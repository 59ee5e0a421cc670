// Generated from openapi.json by `npm run sdk:generate` (openapi-typescript). Do not edit:
// change the controllers and DTOs, then run `npm run openapi`.
export interface paths {
  '/bulk-jobs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List bulk jobs, newest first */
    get: operations['listBulkJobs'];
    put?: never;
    /**
     * Submit a bulk job
     * @description Validates the envelope only, stores the job and its items, and answers 202 with `Location`. Each item is checked by the worker and may fail on its own (`validation_failed`, `not_found`, `invalid_transition`, `duplicate_item`). Large jobs: send `application/x-ndjson` (one item per line) or `text/csv` (header row) with `?operation=…`; the body is received whole, then stored in one transaction.
     */
    post: operations['createBulkJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/bulk-jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a bulk job
     * @description While the job runs the response carries `Retry-After`. `Prefer: wait=N` (N ≤ 60) holds the response until the job changes state or N seconds pass.
     */
    get: operations['getBulkJob'];
    put?: never;
    post?: never;
    /** Delete a finished bulk job with its items and results */
    delete: operations['deleteBulkJob'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/bulk-jobs/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a bulk job
     * @description Every chunk not yet started is cancelled at once (its items become `cancelled`); chunks being applied right now finish, and the answer carries the final counters.
     */
    post: operations['cancelBulkJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/bulk-jobs/{id}/items': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List a job's items in order, optionally by status */
    get: operations['listBulkJobItems'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/bulk-jobs/{id}/results': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Download every item's outcome
     * @description Streams `text/csv` (default; columns index,id,ref,status,error_code,error_message) or `application/x-ndjson` (by `Accept`).
     */
    get: operations['downloadBulkJobResults'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/bulk-jobs/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Retry the failed items in a new job
     * @description The new job has `retry_of` set to this job.
     */
    post: operations['retryBulkJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List job lifecycle events, newest first (the objects webhooks carry) */
    get: operations['listEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/live': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness probe */
    get: operations['getLiveness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness probe */
    get: operations['getReadiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/limits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The tenant's quotas, what is used of each and when each starts again
     * @description Always lists `requests`, `active_jobs`, `items_per_day`, `concurrent_uploads` and `concurrent_chunks`, in that order. This request counts against `requests` like any other.
     */
    get: operations['getLimits'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List orders, newest first */
    get: operations['listOrders'];
    put?: never;
    /** Create an order */
    post: operations['createOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/orders/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get an order */
    get: operations['getOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Change an order status
     * @description Moves the order along its status machine. Setting the current status is a no-op success.
     */
    patch: operations['updateOrder'];
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    BulkJobDto: {
      /**
       * @description Orders this tenant's own jobs (never another tenant's).
       * @enum {string}
       */
      priority: 'high' | 'normal' | 'low';
      /**
       * @description While `pending`: 1 = the next of this tenant's jobs to start (workers take turns between
       *     tenants, so other tenants' jobs never count); `null` once started.
       */
      queue_position: number | null;
      /** @example job_9f83ab0k2m4n6p8r1t3v */
      id: string;
      /** @example update_orders_status */
      operation: string;
      /** @enum {string} */
      status: 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';
      atomic: boolean;
      total_items: number;
      /** @description Items tried so far (succeeded + failed). */
      processed_items: number;
      succeeded: number;
      failed: number;
      /** @description 0–100. */
      progress: number;
      /** @example 2026-01-13T15:15:00.000Z */
      created_at: string;
      started_at: string | null;
      completed_at: string | null;
      /** @description After this the job, its items and results answer 404 and are deleted. */
      expires_at: string | null;
      webhook_url: string | null;
      /** @description Set once the job is terminal. */
      result_url: string | null;
      /** @description The job whose failed items this one retries. */
      retry_of: string | null;
      /** @description Why the job itself failed (e.g. an atomic job rolled back). */
      error: components['schemas']['BulkJobErrorDto'] | components['schemas']['Null'];
      links: components['schemas']['BulkJobLinksDto'];
    };
    BulkJobErrorDto: {
      code: string;
      message: string;
    };
    BulkJobItemDto: {
      /** @description Position in the submitted items, from 0. */
      index: number;
      /**
       * @description The target or created resource id, when known.
       * @example ord_123
       */
      id: string | null;
      /** @description The client's own reference, echoed from the item. */
      ref?: string | null;
      /** @enum {string} */
      status: 'pending' | 'failed' | 'cancelled' | 'succeeded';
      error: components['schemas']['ItemErrorDto'] | components['schemas']['Null'];
    };
    BulkJobItemPage: {
      data: components['schemas']['BulkJobItemDto'][];
      /** @description Whether another page follows. */
      has_more: boolean;
      /** @description Pass as `cursor` to get the next page; null on the last page. */
      next_cursor: string | null;
    };
    BulkJobLinksDto: {
      /** @example /bulk-jobs/job_9f83ab */
      self: string;
      /** @example /bulk-jobs/job_9f83ab/items */
      items: string;
      /** @example /bulk-jobs/job_9f83ab/results */
      results: string;
      /** @example /bulk-jobs/job_9f83ab/cancel */
      cancel: string;
    };
    BulkJobPage: {
      data: components['schemas']['BulkJobDto'][];
      /** @description Whether another page follows. */
      has_more: boolean;
      /** @description Pass as `cursor` to get the next page; null on the last page. */
      next_cursor: string | null;
    };
    /** @description The body of every webhook delivery (`Content-Type: application/json`): a job lifecycle event, the same object `GET /events` lists; `id` equals the `webhook-id` header and `data` is the job as `GET /bulk-jobs/{id}` shows it. */
    BulkJobWebhookEvent: components['schemas']['EventDto'];
    CreateBulkJobDto: {
      /**
       * @description A registered operation, e.g. `update_orders_status` or `create_orders`.
       * @example update_orders_status
       */
      operation: string;
      /** @description 1 … BULK_MAX_ITEMS items; each is validated by the worker and may fail on its own. */
      items: {
        [key: string]: unknown;
      }[];
      /**
       * Format: uri
       * @description Receives a signed `bulk_job.*` event when the job ends (http/https, public addresses only).
       */
      webhook_url?: string;
      /**
       * @description Orders this tenant's own jobs (never another tenant's); default `normal`.
       * @enum {string}
       */
      priority?: 'high' | 'normal' | 'low';
      /** @description All or nothing: if any item fails, none is applied and the job fails. */
      atomic?: boolean;
    };
    CreateOrderDto: {
      /** @example cus_42 */
      customer_id: string;
      /**
       * @description Integer minor units, ≥ 0.
       * @example 1999
       */
      amount: number;
      /**
       * @description ISO 4217, three upper-case letters.
       * @example EUR
       */
      currency: string;
      /**
       * @description Initial status; defaults to `pending`.
       * @enum {string}
       */
      status?: 'pending' | 'paid' | 'cancelled' | 'shipped' | 'delivered';
    };
    EventDto: {
      /** @example evt_3k9x0m2q7c1v8b4n5z6a */
      id: string;
      /** @enum {string} */
      type: 'bulk_job.completed' | 'bulk_job.failed' | 'bulk_job.cancelled';
      created_at: string;
      data: components['schemas']['BulkJobDto'];
    };
    EventPage: {
      data: components['schemas']['EventDto'][];
      /** @description Whether another page follows. */
      has_more: boolean;
      /** @description Pass as `cursor` to get the next page; null on the last page. */
      next_cursor: string | null;
    };
    FieldErrorSchema: {
      /** @example amount */
      field: string;
      /** @example amount must not be less than 0 */
      message: string;
    };
    ItemErrorDto: {
      /**
       * @description validation_failed | not_found | invalid_transition | duplicate_item | rolled_back
       * @example not_found
       */
      code: string;
      message: string;
    };
    LimitDto: {
      /**
       * @description `requests`: requests in the current rate-limit window (RATE_LIMIT_PER_MINUTE, 60 s; this one included; the `RateLimit` headers tell the same). `active_jobs`: unfinished bulk jobs (TENANT_MAX_ACTIVE_JOBS). `items_per_day`: items accepted today, UTC (TENANT_MAX_ITEMS_PER_DAY). `concurrent_uploads`: bulk uploads being received by the API process that answers (TENANT_MAX_CONCURRENT_UPLOADS). `concurrent_chunks`: chunks being applied now across every worker (TENANT_MAX_CONCURRENT_CHUNKS).
       * @example active_jobs
       * @enum {string}
       */
      name:
        'requests' | 'active_jobs' | 'items_per_day' | 'concurrent_uploads' | 'concurrent_chunks';
      /**
       * @description The most allowed; `null` when there is no limit.
       * @example 100
       */
      limit: number | null;
      /**
       * @description Used now (`requests`: 0 when requests are not limited, as nothing counts them).
       * @example 3
       */
      used: number;
      /**
       * @description `limit - used`, never below 0; `null` when there is no limit.
       * @example 97
       */
      remaining: number | null;
      /**
       * Format: date-time
       * @description When the count starts again (`requests`: the end of the window; `items_per_day`: the next UTC midnight); `null` for limits on what runs at once, which free up as work ends.
       * @example 2026-01-14T00:00:00.000Z
       */
      reset_at: string | null;
    };
    LimitsDto: {
      data: components['schemas']['LimitDto'][];
    };
    /**
     * @description JSON `null`.
     * @enum {string|null}
     */
    Null: null;
    OrderDto: {
      /** @example ord_3k9x0m2q7c1v8b4n5z6a */
      id: string;
      /** @example cus_42 */
      customer_id: string;
      /**
       * @description Integer minor units (e.g. cents), ≥ 0.
       * @example 1999
       */
      amount: number;
      /**
       * @description ISO 4217 code.
       * @example EUR
       */
      currency: string;
      /**
       * @description pending → paid | cancelled, paid → shipped | cancelled, shipped → delivered.
       * @enum {string}
       */
      status: 'pending' | 'cancelled' | 'shipped' | 'delivered' | 'paid';
      /**
       * @description Incremented on every change.
       * @example 1
       */
      version: number;
      /** @example 2026-01-13T15:15:00.000Z */
      created_at: string;
      /** @example 2026-01-13T15:15:00.000Z */
      updated_at: string;
    };
    OrderPage: {
      data: components['schemas']['OrderDto'][];
      /** @description Whether another page follows. */
      has_more: boolean;
      /** @description Pass as `cursor` to get the next page; null on the last page. */
      next_cursor: string | null;
    };
    ProblemDetailsSchema: {
      /** @example https://problems.bulk-rest.dev/validation-failed */
      type: string;
      /** @example Bad Request */
      title: string;
      /** @example 400 */
      status: number;
      /** @example The request is invalid */
      detail: string;
      /**
       * @example validation_failed
       * @enum {string}
       */
      code:
        | 'validation_failed'
        | 'not_found'
        | 'unauthorized'
        | 'forbidden'
        | 'idempotency_key_reused'
        | 'idempotency_key_in_use'
        | 'invalid_cursor'
        | 'payload_too_large'
        | 'unsupported_media_type'
        | 'not_acceptable'
        | 'method_not_allowed'
        | 'job_not_cancellable'
        | 'job_not_finished'
        | 'job_not_deletable'
        | 'nothing_to_retry'
        | 'invalid_transition'
        | 'conflict'
        | 'service_unavailable'
        | 'rate_limited'
        | 'too_many_active_jobs'
        | 'daily_item_limit_reached'
        | 'too_many_uploads'
        | 'request_timeout'
        | 'internal_error';
      /** @example /orders */
      instance?: string;
      errors?: components['schemas']['FieldErrorSchema'][];
    };
    UpdateOrderDto: {
      /**
       * @description The new status; must be a legal move from the current one.
       * @example paid
       * @enum {string}
       */
      status: 'pending' | 'paid' | 'cancelled' | 'shipped' | 'delivered';
    };
  };
  responses: never;
  parameters: {
    /** @description The event id (equal to the body `id`); the same on every retry, so deduplicate on it. */
    'webhook-id': string;
    /** @description Space-separated `v1,<base64>` signatures: HMAC-SHA256 with the webhook secret (the base64 part of `whsec_<base64>`) over `<webhook-id>.<webhook-timestamp>.<raw body>`. Verify with the SDK's `verifyWebhook` or any Standard Webhooks library. */
    'webhook-signature': string;
    /** @description When this attempt was signed, in Unix seconds. Refuse deliveries far from your clock. */
    'webhook-timestamp': string;
  };
  requestBodies: never;
  headers: {
    /** @description Present (`true`) when this is the stored answer of an earlier request with the same `Idempotency-Key`: nothing was executed again. */
    'Idempotent-Replayed': 'true';
    /** @description What is left of the policy: `r` requests remaining in the current window, `t` seconds until it ends. Sent on every answer to an authenticated request (problems and 429 included) while the service limits requests (`RATE_LIMIT_PER_MINUTE` > 0); never on a 401. draft-ietf-httpapi-ratelimit-headers-10: a Structured Field List with one Item per policy; the policy `default` is the tenant's request limit, which `GET /limits` lists as `requests`. */
    RateLimit: string;
    /** @description The quota policy: `q` requests per window of `w` seconds. Sent on every answer to an authenticated request (problems and 429 included) while the service limits requests (`RATE_LIMIT_PER_MINUTE` > 0); never on a 401. draft-ietf-httpapi-ratelimit-headers-10: a Structured Field List with one Item per policy; the policy `default` is the tenant's request limit, which `GET /limits` lists as `requests`. */
    'RateLimit-Policy': string;
    /** @description The request's id, as in the service's log: the caller's `X-Request-Id` when it is 1–128 characters of `A-Za-z0-9._~:@+=/-`, else a new UUID. */
    'X-Request-Id': string;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listBulkJobs: {
    parameters: {
      query?: {
        /** @description Page size, 1–100. */
        limit?: number;
        status?: 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';
        operation?: string;
        /** @description Opaque cursor from `next_cursor` of the previous page; only valid with the same filters. */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of BulkJob objects, in keyset order. */
      200: {
        headers: {
          /** @description RFC 8288 link to the next page (`rel="next"`), present when `has_more` is true. */
          Link?: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkJobPage'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  createBulkJob: {
    parameters: {
      query?: {
        /** @description Required with `application/x-ndjson` and `text/csv` bodies. */
        operation?: string;
        webhook_url?: string;
        /** @description Orders this tenant's own jobs (never another tenant's); default `normal`. */
        priority?: 'high' | 'normal' | 'low';
        atomic?: boolean;
      };
      header?: {
        /** @description Makes the request safe to retry: 1–255 printable ASCII characters, unique per request (a UUID v4 is ideal). A retry with the same key and the same request returns the stored response with `Idempotent-Replayed: true` and executes nothing; the same key with a different request → 422 `idempotency_key_reused`; while the first is still running → 409 `idempotency_key_in_use` with `Retry-After`. Keys are scoped to the tenant and kept for 86400 seconds (IDEMPOTENCY_TTL_SECONDS). Validation failures and 5xx responses are not stored. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateBulkJobDto'];
        /**
         * @example {"id":"ord_123","status":"cancelled"}
         *     {"id":"ord_124","status":"shipped"}
         */
        'application/x-ndjson': string;
        /**
         * @example id,status
         *     ord_123,cancelled
         *     ord_124,shipped
         */
        'text/csv': string;
      };
    };
    responses: {
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          /** @description URL of the job resource */
          Location: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Suggested polling interval in seconds while the job runs */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkJobDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was stored. */
      408: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Conflict, e.g. `idempotency_key_in_use` (retry after `Retry-After` seconds). */
      409: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The body passed BULK_MAX_JSON_BYTES or BULK_MAX_BODY_BYTES, a line BULK_MAX_LINE_BYTES, or a CSV row BULK_MAX_CSV_FIELDS (`payload_too_large`, naming the limit); nothing was stored. */
      413: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Another media type, or a charset other than UTF-8 (`unsupported_media_type`). */
      415: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The Idempotency-Key was used with a different request (`idempotency_key_reused`). */
      422: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`), TENANT_MAX_CONCURRENT_UPLOADS uploads already in flight (`too_many_uploads`), the tenant has TENANT_MAX_ACTIVE_JOBS unfinished jobs (`too_many_active_jobs`), or this job would pass TENANT_MAX_ITEMS_PER_DAY (`daily_item_limit_reached`); see `Retry-After`. */
      429: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  getBulkJob: {
    parameters: {
      query?: never;
      header?: {
        /** @description RFC 7240 `wait=N` (seconds, at most 60): long-poll for a state change. */
        Prefer?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          'Preference-Applied'?: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Suggested polling interval in seconds while the job runs */
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkJobDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  deleteBulkJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted. */
      204: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The job is still running (`job_not_deletable`). */
      409: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  cancelBulkJob: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes the request safe to retry: 1–255 printable ASCII characters, unique per request (a UUID v4 is ideal). A retry with the same key and the same request returns the stored response with `Idempotent-Replayed: true` and executes nothing; the same key with a different request → 422 `idempotency_key_reused`; while the first is still running → 409 `idempotency_key_in_use` with `Retry-After`. Keys are scoped to the tenant and kept for 86400 seconds (IDEMPOTENCY_TTL_SECONDS). Validation failures and 5xx responses are not stored. */
        'Idempotency-Key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkJobDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was done. */
      408: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The job has already ended (`job_not_cancellable`). */
      409: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Body too large (`payload_too_large`). */
      413: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unsupported body media type (`unsupported_media_type`). */
      415: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The Idempotency-Key was used with a different request (`idempotency_key_reused`). */
      422: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  listBulkJobItems: {
    parameters: {
      query?: {
        /** @description Page size, 1–100. */
        limit?: number;
        status?: 'pending' | 'succeeded' | 'failed' | 'cancelled';
        /** @description Opaque cursor from `next_cursor` of the previous page; only valid with the same filters. */
        cursor?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of BulkJobItem objects, in keyset order. */
      200: {
        headers: {
          /** @description RFC 8288 link to the next page (`rel="next"`), present when `has_more` is true. */
          Link?: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkJobItemPage'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  downloadBulkJobResults: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One line per item, in item order. */
      200: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/x-ndjson': string;
          'text/csv': string;
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  retryBulkJob: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes the request safe to retry: 1–255 printable ASCII characters, unique per request (a UUID v4 is ideal). A retry with the same key and the same request returns the stored response with `Idempotent-Replayed: true` and executes nothing; the same key with a different request → 422 `idempotency_key_reused`; while the first is still running → 409 `idempotency_key_in_use` with `Retry-After`. Keys are scoped to the tenant and kept for 86400 seconds (IDEMPOTENCY_TTL_SECONDS). Validation failures and 5xx responses are not stored. */
        'Idempotency-Key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          /** @description URL of the job resource */
          Location: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Suggested polling interval in seconds while the job runs */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkJobDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was done. */
      408: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The job has not ended (`job_not_finished`) or has no failed items (`nothing_to_retry`). */
      409: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Body too large (`payload_too_large`). */
      413: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unsupported body media type (`unsupported_media_type`). */
      415: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The Idempotency-Key was used with a different request (`idempotency_key_reused`). */
      422: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  listEvents: {
    parameters: {
      query?: {
        /** @description Page size, 1–100. */
        limit?: number;
        type?: 'bulk_job.completed' | 'bulk_job.failed' | 'bulk_job.cancelled';
        /** @description Opaque cursor from `next_cursor` of the previous page; only valid with the same filters. */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of Event objects, in keyset order. */
      200: {
        headers: {
          /** @description RFC 8288 link to the next page (`rel="next"`), present when `has_more` is true. */
          Link?: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EventPage'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  getLiveness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @example ok
             * @enum {string}
             */
            status?: 'ok' | 'degraded';
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description A request body was sent and is not valid JSON (`validation_failed`). */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description An `Authorization` header was sent and is not valid (`unauthorized`); send none. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  getReadiness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @example ok
             * @enum {string}
             */
            status?: 'ok' | 'degraded';
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description A request body was sent and is not valid JSON (`validation_failed`). */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description An `Authorization` header was sent and is not valid (`unauthorized`); send none. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The Health Check is not successful */
      503: {
        headers: {
          /** @description Seconds to wait before asking again. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @example error
             * @enum {string}
             */
            status?: 'error' | 'shutting_down';
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "redis": {
             *         "status": "down",
             *         "message": "Could not connect",
             *         "responseTime": 3005
             *       }
             *     }
             */
            error?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       },
             *       "redis": {
             *         "status": "down",
             *         "message": "Could not connect",
             *         "responseTime": 3005
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
    };
  };
  getLimits: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The tenant's quotas. */
      200: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LimitsDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  listOrders: {
    parameters: {
      query?: {
        /** @description Page size, 1–100. */
        limit?: number;
        /** @description Only orders in this status. */
        status?: 'pending' | 'paid' | 'cancelled' | 'shipped' | 'delivered';
        /** @description Only orders of this customer. */
        customer_id?: string;
        /** @description Opaque cursor from `next_cursor` of the previous page; only valid with the same filters. */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of Order objects, in keyset order. */
      200: {
        headers: {
          /** @description RFC 8288 link to the next page (`rel="next"`), present when `has_more` is true. */
          Link?: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrderPage'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  createOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes the request safe to retry: 1–255 printable ASCII characters, unique per request (a UUID v4 is ideal). A retry with the same key and the same request returns the stored response with `Idempotent-Replayed: true` and executes nothing; the same key with a different request → 422 `idempotency_key_reused`; while the first is still running → 409 `idempotency_key_in_use` with `Retry-After`. Keys are scoped to the tenant and kept for 86400 seconds (IDEMPOTENCY_TTL_SECONDS). Validation failures and 5xx responses are not stored. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateOrderDto'];
      };
    };
    responses: {
      201: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          /** @description URL of the new order */
          Location: string;
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrderDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was done. */
      408: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description State conflict. */
      409: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Body too large (`payload_too_large`). */
      413: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unsupported body media type (`unsupported_media_type`). */
      415: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The Idempotency-Key was used with a different request (`idempotency_key_reused`). */
      422: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  getOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrderDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
  updateOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes the request safe to retry: 1–255 printable ASCII characters, unique per request (a UUID v4 is ideal). A retry with the same key and the same request returns the stored response with `Idempotent-Replayed: true` and executes nothing; the same key with a different request → 422 `idempotency_key_reused`; while the first is still running → 409 `idempotency_key_in_use` with `Retry-After`. Keys are scoped to the tenant and kept for 86400 seconds (IDEMPOTENCY_TTL_SECONDS). Validation failures and 5xx responses are not stored. */
        'Idempotency-Key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UpdateOrderDto'];
      };
    };
    responses: {
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrderDto'];
        };
      };
      /** @description Malformed or invalid request (`validation_failed`, `invalid_cursor`). */
      400: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Missing or invalid API key (`unauthorized`); carries `WWW-Authenticate: Bearer`. */
      401: {
        headers: {
          /** @description The authentication scheme: `Bearer` (RFC 6750). */
          'WWW-Authenticate': string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unknown id, or an id of another tenant (`not_found`). */
      404: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was done. */
      408: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Illegal status transition (`invalid_transition`) or key in use. */
      409: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After'?: number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Body too large (`payload_too_large`). */
      413: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Unsupported body media type (`unsupported_media_type`). */
      415: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description The Idempotency-Key was used with a different request (`idempotency_key_reused`). */
      422: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description Rate limited (`rate_limited`); see `Retry-After`. */
      429: {
        headers: {
          'Idempotent-Replayed': components['headers']['Idempotent-Replayed'];
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
      /** @description A dependency is down (`service_unavailable`); see `Retry-After`. */
      503: {
        headers: {
          RateLimit: components['headers']['RateLimit'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          /** @description Seconds to wait before retrying. */
          'Retry-After': number;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetailsSchema'];
        };
      };
    };
  };
}
