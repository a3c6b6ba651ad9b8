/* webhook.c: POSTs each batch as a JSON array of the events to WEBHOOK_URL, with
 * WEBHOOK_TOKEN as a Bearer token. 2xx delivers; 408, 429, 5xx and no answer retry
 * (honouring Retry-After in seconds); 401/403 stop the plugin; other 4xx reject. */
#include <productgraph/publisher_util.h>

#include <curl/curl.h>

typedef struct webhook {
    const pgraph_host *host; /* valid until destroy returns */
    CURL *curl;              /* one handle: the connection stays open between batches */
    struct curl_slist *headers;
    char *url;
    int64_t timeout_ms;
    int64_t retry_after_ms; /* from the last answer's Retry-After */
} webhook;

static const pgraph_env_var variables[] = {
    PGRAPH_TYPED_VARIABLE("WEBHOOK_ENABLED", 0, "false", "true posts batches to WEBHOOK_URL", PGRAPH_VAR_BOOL, 0, 0,
                          NULL),
    PGRAPH_TYPED_VARIABLE("WEBHOOK_URL", PGRAPH_ENV_REQUIRED, NULL, "http(s) URL that receives each batch",
                          PGRAPH_VAR_URL, 0, 0, NULL),
    PGRAPH_VARIABLE("WEBHOOK_TOKEN", PGRAPH_ENV_SECRET, NULL, "sent as Authorization: Bearer <token>"),
    PGRAPH_TYPED_VARIABLE("WEBHOOK_TIMEOUT_MS", 0, "10000", "longest wait for one POST", PGRAPH_VAR_DURATION_MS, 1,
                          600000, NULL),
};

/* Keeps Retry-After: <seconds>; the HTTP-date form is left to the host's backoff. */
static size_t read_header(char *line, size_t size, size_t count, void *instance)
{
    webhook *self = instance;
    long seconds = 0;
    if (size * count > 12 && curl_strnequal(line, "Retry-After:", 12) && sscanf(line + 12, "%ld", &seconds) == 1) {
        self->retry_after_ms = seconds > 0 ? (int64_t)seconds * 1000 : 0;
    }
    return size * count;
}

static size_t ignore_body(char *data, size_t size, size_t count, void *unused)
{
    (void)data, (void)unused;
    return size * count;
}

static void webhook_destroy(void *instance)
{
    webhook *self = instance;
    if (self->curl != NULL) curl_easy_cleanup(self->curl);
    curl_slist_free_all(self->headers);
    free(self->url);
    free(self);
}

static pgraph_status webhook_create(const pgraph_create_args *args, void **instance, char *error, size_t capacity)
{
    char bearer[1024];
    const pgraph_str token = pgraph_config_value(args, "WEBHOOK_TOKEN");
    webhook *self = calloc(1, sizeof *self);
    if (self == NULL) return pgraph_fail(error, capacity, "webhook: out of memory");
    self->host = args->host;
    self->url = pgraph_config_strdup(args, "WEBHOOK_URL", NULL);             /* the host checked it is an http(s) URL */
    self->timeout_ms = pgraph_config_int(args, "WEBHOOK_TIMEOUT_MS", 10000); /* the host checked the range */
    self->curl = curl_easy_init(); /* initialises libcurl once, thread-safely, since curl 7.84 */
    self->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (token.len > 0) {
        pgraph_format_text(bearer, sizeof bearer, "Authorization: Bearer %.*s", PGRAPH_STR_ARGS(token));
        self->headers = curl_slist_append(self->headers, bearer);
    }
    if (self->url == NULL || self->curl == NULL || self->headers == NULL) {
        webhook_destroy(self);
        return pgraph_fail(error, capacity, "webhook: cannot set up libcurl");
    }
    curl_easy_setopt(self->curl, CURLOPT_URL, self->url);
    curl_easy_setopt(self->curl, CURLOPT_HTTPHEADER, self->headers);
    curl_easy_setopt(self->curl, CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM: the host owns signals */
    curl_easy_setopt(self->curl, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(self->curl, CURLOPT_HEADERDATA, self);
    curl_easy_setopt(self->curl, CURLOPT_WRITEFUNCTION, ignore_body);
    *instance = self;
    return PGRAPH_OK;
}

/* [json,json,...] of the batch's events, malloc'd; NULL when memory ran out. */
static char *batch_body(const pgraph_batch *batch, size_t *length)
{
    size_t size = 2, at = 0;
    char *body;
    for (size_t i = 0; i < batch->event_count; ++i) size += pgraph_batch_event(batch, i)->json.len + 1;
    if ((body = malloc(size)) == NULL) return NULL;
    body[at++] = '[';
    for (size_t i = 0; i < batch->event_count; ++i) {
        const pgraph_str json = pgraph_batch_event(batch, i)->json;
        if (i > 0) body[at++] = ',';
        memcpy(body + at, json.ptr, json.len);
        at += json.len;
    }
    body[at++] = ']';
    *length = at;
    return body;
}

static pgraph_status webhook_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    webhook *self = instance;
    const int64_t left = batch->deadline_unix_ms - self->host->now_unix_ms(self->host->context);
    size_t length = 0;
    long status = 0;
    char *body;
    CURLcode code;
    if (batch->event_count == 0) return PGRAPH_OK;
    if (left <= 0) return pgraph_set_message(result, "deadline passed before sending"), PGRAPH_RETRY;
    if ((body = batch_body(batch, &length)) == NULL) return pgraph_set_message(result, "out of memory"), PGRAPH_RETRY;
    self->retry_after_ms = 0;
    curl_easy_setopt(self->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(self->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(self->curl, CURLOPT_TIMEOUT_MS, (long)(left < self->timeout_ms ? left : self->timeout_ms));
    code = curl_easy_perform(self->curl);
    free(body);
    if (code != CURLE_OK) return pgraph_set_message(result, "no answer: %s", curl_easy_strerror(code)), PGRAPH_RETRY;
    curl_easy_getinfo(self->curl, CURLINFO_RESPONSE_CODE, &status);
    result->http_status = (int32_t)status;
    result->retry_after_ms = self->retry_after_ms;
    pgraph_set_message(result, "WEBHOOK_URL answered %ld", status);
    if (status >= 200 && status < 300) return PGRAPH_OK;
    if (status == 401 || status == 403) {
        pgraph_set_message(result, "WEBHOOK_URL answered %ld: check WEBHOOK_TOKEN", status);
        return PGRAPH_FATAL;
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) return PGRAPH_REJECT;
    return PGRAPH_RETRY; /* 408, 429, 5xx and anything unexpected */
}

PGRAPH_DEFINE_PLUGIN(.name = "webhook", .version = "1.0.0", .description = "POSTs batches of events to WEBHOOK_URL",
                     .max_batch_events = 500, .max_batch_bytes = 1000000, .enable_variable = "WEBHOOK_ENABLED",
                     .env_vars = variables, .env_var_count = PGRAPH_COUNT(variables), .create = webhook_create,
                     .publish = webhook_publish, .destroy = webhook_destroy)
