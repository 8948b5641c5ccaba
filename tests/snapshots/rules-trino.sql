-- errlens 0.1.0: the classification rules as one SQL CASE expression, Trino dialect. Its
-- value: a root-cause id of `errlens taxonomy`, '@model' or 'unclassified'. Rules are tried
-- as errlens tries them: highest priority first, then in the order the rules files define
-- them. 8 rules, 3 of them left out (marked where they would stand).
--
-- Columns it reads (alias yours to these names):
--   status    integer: the HTTP status, NULL when no response came (errlens takes a numeric
--             `code` of 400-599 as the status of a record without one)
--   type      text: the error body's `type`
--   code      text: the error body's `code` (a number as its digits)
--   param     text: the error body's `param`
--   message   text: the error body's `message`, its white space folded as errlens folds it
--             (each run one space, none at the ends)
--   provider  text: the provider (openai, azure, ...)
--   model     text: the model the request asked for
--
-- What it cannot do, and errlens does:
--   - No unwrapping: a message inside a Python repr or an SDK exception string, an HTML
--     error page, JSON nested in a string, a gateway's wrapper or a relay's `(request id:
--     ...)` suffix is matched as the raw text. Fill the columns from a plain body
--     ({"error": {...}} or its inner object), or run errlens on such records.
--   - No status from the text: errlens reads a missing status from `Error code: 429`, `HTTP
--     503` or an exception class name.
--   - No inner code: Azure's `innererror.code` is not a column; codes are compared with
--     `code` and `type` only.
--   - No context or endpoint: rules that read the text around a body (exception classes,
--     gateway prefixes) or the record's endpoint (the Azure status-only 404 rules) are left
--     out, marked where they would stand; a failure one of them matches may get a later
--     rule's cause here.
--   - No model catalog: '@model' stands for a model not found that errlens judges a typo
--     (model.typo), a retired model (model.retired) or one the key cannot use
--     (model.no_access); fine-tunes and failures naming no model are decided here.
--   - Status-only rules need an empty message, type and code here; errlens also applies
--     them when the message only says a request failed (`Request failed with status code
--     429`) or holds no English word.
--   - No evidence: limits, usage, retry-after, token counts, the model named, notes and the
--     signatures of unclassified messages are errlens's alone.
--   - Case: errlens folds ASCII letters only; lower() here (and (?i) in DuckDB and Trino)
--     folds other letters too (an accented capital matches its small letter, the Kelvin
--     sign k).
--   - Failures only: apply it where the request failed (status >= 400 or 0, or an error
--     logged).
--
CASE
  -- quoted (priority 90)
  WHEN ((lower(code) = 'insufficient_quota' OR substr(lower(code), 1, 6) = 'quota_') OR (lower(type) = 'insufficient_quota' OR substr(lower(type), 1, 6) = 'quota_')) AND regexp_like(COALESCE(message, ''), '(?i)it''s [0-9]+ \\ "q"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))') THEN 'quota.exhausted'
  -- left out: set-operation (priority 80): its message pattern holds a class set operation (&&, -- or ~~), which Trino cannot express
  -- model (priority 70)
  WHEN lower(type) = 'invalid_request_error' AND regexp_like(COALESCE(message, ''), '(?i)model ([^\t-\r ]+) does not exist') THEN CASE (regexp_like(COALESCE(NULLIF(regexp_extract(COALESCE(message, ''), '(?i)model ([^\t-\r ]+) does not exist', 1), ''), NULLIF(model, '')), '^[\t-\r ]*(?:openai/|azure/|openrouter/openai/|models/)?ft:|:ft-')) WHEN TRUE THEN 'model.fine_tune_unavailable' WHEN FALSE THEN '@model' ELSE 'model.no_access' END
  -- starts-a-word (priority 60)
  WHEN regexp_like(COALESCE(message, ''), '(?:(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))rpm(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))') THEN 'rate_limit.requests'
  -- left out: context (priority 50): it reads the text around the error body, which no column holds
  -- left out: endpoint (priority 50): it reads the record's endpoint, which no column holds
  -- bare (priority 20)
  WHEN status = 401 AND (trim(COALESCE(message, '')) = '' AND COALESCE(type, '') = '' AND COALESCE(code, '') = '') AND lower(param) = 'x' AND lower(provider) = 'openai' THEN 'auth.invalid_api_key'
  -- low (priority 10)
  WHEN (status = 500 OR status BETWEEN 400 AND 499 OR status IS NULL) THEN 'server.internal_error'
  ELSE 'unclassified'
END
