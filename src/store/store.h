/* store.h: khaosat's storage layer, one SQLite database per laptop holding
 * settings, the forms that data was collected with, interviews, their
 * answers and an audit trail of every change.
 *
 * Durability: every function that changes data commits before it returns
 * (one short transaction per call, never a long-open one), so killing the
 * program at any instant loses at most the answer being typed.
 *
 * Repeat paths.  An answer is keyed by (interview, question id, path).  The
 * path names the repeat instance the answer belongs to:
 *   ""                      top level (not inside any repeat)
 *   "members[2]"            second instance of repeat "members"
 *   "members[2]/crops[1]"   first "crops" instance inside it
 * Each segment is REPEAT_ID "[" N "]" with N a 1-based decimal index without
 * leading zeros; segments are joined by "/" with no leading or trailing
 * "/".  The path holds only repeats, never groups or the question itself.
 * Repeat counts are keyed the same way by the path of the repeat itself:
 * "members" or "members[2]/crops".
 *
 * Times are ISO 8601 UTC: "2024-05-01T08:30:00Z" for interviews,
 * "2024-05-01T08:30:00.123Z" (milliseconds) in the audit trail.
 *
 * Errors: functions return 0 on success and a negative value on failure;
 * store_errmsg() then says what failed and on which file. */
#ifndef KHAOSAT_STORE_H
#define KHAOSAT_STORE_H

#include <stddef.h>
#include <stdint.h>

/* The schema version this khaosat writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 21

typedef struct store store;

typedef enum store_status {
    STORE_DRAFT,
    STORE_COMPLETE
} store_status;

/* One interview row.  Strings are owned by the struct (see
 * store_interview_clear); position and exported_at may be NULL. */
typedef struct store_interview {
    char *uuid;
    char *form_id, *form_version;
    store_status status;
    char *enumerator, *device_id;
    char *created, *updated;
    char *position;       /* where the enumerator was, for resuming */
    char *exported_at;    /* NULL until exported; reset by any change */
    char *name;           /* the form's instance_name as last computed, or
                           * NULL (none, or not computed yet) */
} store_interview;

/* One stored form definition; strings owned by the struct. */
typedef struct store_form {
    int64_t id;
    char *form_id, *version;
    char *source;
    size_t source_len;
    char sha256[65];      /* lowercase hex of SHA-256 of source */
} store_form;

/* Interview counts of one form (or of all forms). */
typedef struct store_counts {
    long drafts;
    long complete;        /* complete and not superseded */
    long not_exported;    /* complete interviews not exported since last change */
    long superseded;      /* complete, found by the office the same household
                           * as another it kept (listed "superseded") */
} store_counts;

/* Well-known setting keys. */
#define STORE_SET_ENUMERATOR "enumerator"
#define STORE_SET_ENUMERATOR_CODE "enumerator_code"
#define STORE_SET_COMMUNE "commune"
#define STORE_SET_DEVICE_ID "device_id"
#define STORE_SET_ROLE "role"             /* "laptop" or "office" */
#define STORE_SET_CARD_NAME "card_name"   /* name on this database's card */
/* Set, for good, once a card was trusted to send bundles here / once an
 * office was trusted to seal bundles for (see store_trusted_put). */
#define STORE_SET_SEALED_IN "sealed_in"
#define STORE_SET_SEALED_OUT "sealed_out"
/* The time of the newest review an upstream bundle carried. */
#define STORE_SET_REVIEWS_SENT "reviews_sent"
/* How many times a review was made or cleared here, and that count when
 * the last upstream bundle carried the reviews (a counter, not a time:
 * two changes within one second both count). */
#define STORE_SET_REVIEWS_CHANGES "reviews_changes"
#define STORE_SET_REVIEWS_CHANGES_SENT "reviews_changes_sent"

/* Callbacks: a non-zero return stops the iteration, and the iterating
 * function returns that value.  Answer, count and audit callbacks see rows
 * straight from SQLite and must not call the store themselves; the
 * interview-list callback may. */
typedef int (*store_answer_fn)(void *ctx, const char *qid, const char *path,
                               const char *value);
typedef int (*store_interview_fn)(void *ctx, const store_interview *iv);
typedef int (*store_count_fn)(void *ctx, const char *form_id,
                              const store_counts *c);
typedef int (*store_repeat_fn)(void *ctx, const char *path, long count);

/* The database path: $KHAOSAT_DB, else $XDG_DATA_HOME/khaosat/khaosat.db,
 * else ~/.local/share/khaosat/khaosat.db.  *out is newly allocated. */
int store_default_path(char **out);
/* Create the missing parent directories of path (mode 0700); 0 or -errno. */
int store_mkdirs_for(const char *path);

/* How store_open_at treats a database file that does not exist. */
enum store_missing {
    STORE_REFUSE_MISSING,   /* refuse, naming the nearest existing folder */
    STORE_CREATE_MISSING,   /* create it and its folders */
    STORE_READ_ONLY_OK,     /* refuse; a file this user may only read is
                             * opened read-only (commands that only read) */
    STORE_CREATE_OR_READ    /* create it; a file this user may only read is
                             * opened read-only (the screens, which then
                             * only show it) */
};
/* Open the database db_opt names, or the default one (store_default_path)
 * when db_opt is NULL or empty: the one entry point of the commands and the
 * screens.  A missing file is created only with STORE_CREATE_MISSING, and
 * then *created is 1.  A folder, a file that may not be read or written,
 * a read-only disk and a newer schema are refused, each with its own
 * message.  On failure *out is NULL and *errmsg (newly allocated) says
 * what and why; it is NULL on success. */
int store_open_at(const char *db_opt, enum store_missing how, store **out,
                  int *created, char **errmsg);
/* Close st and remove its file (and -wal, -shm): only for a database the
 * same command created and then put nothing into (a merge or forms accept
 * that took no bundle), so that a failed start leaves no empty office. */
int store_close_and_remove(store *st, char **err);
/* Why nothing may be written to st ("this database is read-only: ...;
 * copy it to a writable place to change it"), owned by st; NULL when it
 * was opened for writing.  Every write to a read-only store is refused
 * with these words before anything is tried. */
const char *store_read_only(const store *st);
/* Non-zero when head (the first n bytes of a file) is the start of a
 * khaosat laptop or office database, which a user may give where a bundle
 * or a backup is expected. */
int store_header_is_database(const unsigned char *head, size_t n);
/* "PATH was made by a newer khaosat ...; update khaosat" for a database
 * of schema version (newly allocated). */
char *store_newer_msg(const char *path, long version);
/* Why the database file path cannot be read (missing, a folder, no
 * permission), in words with advice, newly allocated; NULL when it can be
 * opened for reading. */
char *store_why_unreadable(const char *path);
/* Why the existing database file path cannot be written (read-only file,
 * disk or folder, or unreadable), in words with advice, newly allocated;
 * NULL when it can. */
char *store_why_not_writable(const char *path);
/* The nearest folder of path that exists ("." or "/" at worst); newly
 * allocated.  For messages about a path that does not exist. */
char *store_nearest_dir(const char *path);

/* Backups (store_backup.c).  A consistent copy of st, taken while it is
 * in use, into dest (an existing empty file, a single file afterwards);
 * digest receives the content digest of what was copied. */
int store_snapshot(store *st, const char *dest, char digest[65], char **err);
/* store_snapshot into memory, for a database whose folder this user may
 * not write (a read-only one): the copy's bytes, newly allocated (*len of
 * them), or NULL with *err. */
unsigned char *store_snapshot_memory(store *st, size_t *len,
                                     char digest[65], char **err);
/* Check a copy held in memory (named name in messages): integrity_check,
 * a khaosat database this khaosat reads, its content digest and (when
 * interviews is not NULL) how many interviews it holds. */
int store_check_image(const char *name, const unsigned char *data,
                      size_t len, char digest[65], long *interviews,
                      char **err);
/* The same checks of the database file at path, opened read-only. */
int store_check_file(const char *path, char digest[65], char **err);
/* How many interviews st holds and when the last was changed (*latest
 * newly allocated, NULL when none). */
int store_data_summary(store *st, long *interviews, char **latest);
/* What st holds besides a new database's own device id (and, with
 * skip_keys, its own keys), in words ("3 interviews, its keys, 2 trusted
 * cards"): newly allocated, NULL when nothing (a restore may then write
 * over it without --replace). */
char *store_data_held(store *st, int skip_keys);
/* Close st leaving its file whole and alone (no -wal), ready to be
 * replaced; refused while another program has it open.  st is closed
 * either way. */
int store_close_for_replace(store *st, char **err);

/* Open or create the database at path, migrating an older schema.  Refuses,
 * without modifying it, a file that is not a khaosat database or that a
 * newer khaosat wrote.  On failure *out is NULL and *errmsg (newly
 * allocated, may be NULL if errmsg is NULL) says why. */
int store_open(const char *path, store **out, char **errmsg);
/* Close the database and free the store (NULL is fine). */
void store_close(store *st);
/* The message of the last failure. */
const char *store_errmsg(const store *st);
/* The file the store was opened from. */
const char *store_path(const store *st);

/* Look up a setting; *out is newly allocated, or NULL when unset. */
int store_setting_get(store *st, const char *key, char **out);
/* Set a setting (kept in NFC, trimmed: settings hold names); a NULL value
 * removes it. */
int store_setting_set(store *st, const char *key, const char *value);
/* This laptop's id (a UUID made once and kept in settings); newly allocated. */
int store_device_id(store *st, char **out);
/* A fresh random UUID v4 string (36 characters plus NUL). */
void store_uuid_v4(char out[37]);
/* The current UTC time, ISO 8601, with milliseconds when ms is set. */
void store_now(char buf[32], int ms);
/* The current time to the second (interviews) and to the millisecond
 * (audit), from one reading of the clock. */
void store_now_both(char sec[32], char ms[32]);

/* Keep a form definition.  Storing the same text again is a no-op; a
 * different text under a stored (form id, version) is refused, since data
 * collected with the old text would lose its meaning.  *row_id (may be
 * NULL) receives the form's row id. */
int store_save_form(store *st, const char *form_id, const char *version,
                    const char *source, size_t len, int64_t *row_id);
/* store_save_form inside a transaction the caller opened (store_begin),
 * so that the form is kept only if the caller's whole change is. */
int store_save_form_tx(store *st, const char *form_id, const char *version,
                       const char *source, size_t len);
/* 1 when the database holds a version of form form_id, 0 when it holds
 * none, -1 on failure. */
int store_form_known(store *st, const char *form_id);
/* Fetch a stored form; returns 1 (not negative) when there is none. */
int store_load_form(store *st, const char *form_id, const char *version,
                    store_form *out);
/* Free the strings of a store_form. */
void store_form_clear(store_form *f);

/* Start a draft interview of a stored form; out receives its UUID. */
int store_interview_create(store *st, const char *form_id,
                           const char *version, const char *enumerator,
                           char out[37]);
/* Fetch one interview; returns 1 (not negative) when there is none. */
int store_get_interview(store *st, const char *uuid, store_interview *out);
/* Free the strings of a store_interview. */
void store_interview_clear(store_interview *iv);
/* Guard interview uuid for this connection (NULL: stop): from now on a
 * change to it is refused, with nothing saved, when another connection
 * (another program) changed its content since this one last did or since
 * the guard was set. 0, or -1 on failure. */
int store_guard(store *st, const char *uuid);
/* The number of changes to interview uuid committed through this
 * connection since store_guard, or -1 when uuid is not the one guarded. */
long store_guard_changes(const store *st, const char *uuid);
/* Non-zero when the interview guarded here was changed through another
 * connection since this one last saw it: its changes are refused until
 * it is read again and guarded anew (store_guard). */
int store_guard_moved(store *st);
/* Stop guarding uuid (when it is the one guarded). */
void store_unguard(store *st, const char *uuid);
/* Change the status (audited as a 'status' event). */
int store_interview_set_status(store *st, const char *uuid,
                               store_status status);
/* Remember where the enumerator is (not a data change: not audited). */
int store_interview_set_position(store *st, const char *uuid,
                                 const char *position);
/* Keep the name the form gives the interview (its instance_name, computed
 * by the session whenever an answer changes; NULL: none), so that lists
 * need not evaluate every interview. Derived, not data: not audited and
 * the interview is not marked changed. */
int store_interview_set_name(store *st, const char *uuid, const char *name);
/* Record that the interview was exported now. */
int store_interview_mark_exported(store *st, const char *uuid);
/* 0 when uuid may be deleted: a draft the office did not return for
 * corrections; 1 when the office returned it, -1 otherwise, each with
 * the reason as the store's message. */
int store_interview_deletable(store *st, const char *uuid);
/* Delete a draft with its answers, counts and audit; complete ones and a
 * draft returned by the office (store_interview_deletable) are kept. */
int store_interview_delete(store *st, const char *uuid);
/* Call fn for each interview of form_id (NULL: all), most recently
 * changed first. */
int store_list_interviews(store *st, const char *form_id,
                          store_interview_fn fn, void *ctx);
/* Counts for form_id, or over all forms when form_id is NULL. */
/* Into *out, how many interviews in progress (drafts) on form_id at
 * version hold an answer to question qid (with code among its codes when
 * code is not NULL). 0, or -1 with store_errmsg. */
int store_count_affected(store *st, const char *form_id, const char *version,
                         const char *qid, const char *code, long *out);
/* The form versions drafts of form_id were started under, other than
 * except (may be NULL): *out a newly allocated array of *n newly
 * allocated strings.  0 or -1. */
int store_draft_versions(store *st, const char *form_id, const char *except,
                         char ***out, size_t *n);
int store_count(store *st, const char *form_id, store_counts *out);
/* Call fn with the counts of each form that has interviews. */
int store_count_by_form(store *st, store_count_fn fn, void *ctx);

/* Save one answer and audit it ('change', old -> new) in one transaction;
 * a NULL value clears it.  Saving the value already stored does nothing. */
int store_save_answer(store *st, const char *uuid, const char *qid,
                      const char *path, const char *value);
/* Save one answer like store_save_answer and, in the same transaction,
 * remove the repeat instances removed[0..nremoved) ("members[3]") with
 * everything inside them, each answer audited as cleared; the instances
 * are removed last first. */
int store_save_answer_removing(store *st, const char *uuid, const char *qid,
                               const char *path, const char *value,
                               char *const *removed, size_t nremoved);
/* Save one answer as store_save_answer does and, in the same transaction,
 * make the note on question note_qid (NULL: qid) at the same path note
 * (NULL or "": none; audited as a 'note' event when it changes) and, when
 * event is not NULL, append that audit event on note_qid with detail: an
 * answer and the explanation it needs, kept together or not at all. */
int store_save_answer_noted(store *st, const char *uuid, const char *qid,
                            const char *path, const char *value,
                            const char *note_qid, const char *note,
                            const char *event, const char *detail);
/* Remove one answer (audited). */
int store_clear_answer(store *st, const char *uuid, const char *qid,
                       const char *path);
/* The interviews of form_id other than uuid whose top-level answers to
 * qids[0..n) are values[0..n) (a case key), oldest first, but those the
 * office settled as a pair with uuid (store_settled_put_tx): *out is a newly
 * allocated array of newly allocated UUIDs (NULL when none). Returns their
 * number, or -1 on failure. */
long store_find_same_answers(store *st, const char *form_id,
                             const char *uuid, const char *const *qids,
                             const char *const *values, size_t n,
                             char ***out);
/* The longest note, in bytes: a remark, not a document. */
#define STORE_NOTE_MAX 4096
/* In a revision (and so in a bundle's items), the note on question Q is
 * the item of question id "#Q": notes travel, merge and are hashed with
 * the answers they are beside.  No question id starts with it. */
#define STORE_NOTE_MARK '#'

/* Why text cannot be a note (too long, not UTF-8, a control character
 * other than a newline or tab), untranslated (N_), or NULL. */
const char *store_note_problem(const char *text);
/* Notes on questions (store_notes.c). Set the note on (uuid, qid, path)
 * to text (NULL or "": remove it), audited as a 'note' event (old ->
 * new) in the same transaction; the interview is marked changed. Setting
 * the note already there does nothing. */
int store_note_set(store *st, const char *uuid, const char *qid,
                   const char *path, const char *text);
/* The note on (uuid, qid, path): 0 with *out newly allocated (NULL when
 * there is none), or -1. */
int store_note_get(store *st, const char *uuid, const char *qid,
                   const char *path, char **out);
/* Called with each note (strings borrowed for the call). */
typedef int (*store_note_fn)(void *ctx, const char *uuid, const char *qid,
                             const char *path, const char *note);
/* Call fn for each note of interview uuid (NULL: of every interview), by
 * interview, path and question: 0, fn's non-zero value, or -1. */
int store_notes_each(store *st, const char *uuid, store_note_fn fn,
                     void *ctx);
/* Call fn for every answer of the interview (by path, then question). */
int store_load_answers(store *st, const char *uuid, store_answer_fn fn,
                       void *ctx);
/* The same in no promised order (no sort): for a replay, which takes the
 * answers in any order (inst_restore). */
int store_load_answers_any(store *st, const char *uuid, store_answer_fn fn,
                           void *ctx);
/* Call fn for every answer to question qid at instance path ("members[3]")
 * or inside it ("members[3]/crops[1]"), by path: a search of the table's
 * key, as long as the answers found, whatever the interview's size. */
int store_load_answers_under(store *st, const char *uuid, const char *qid,
                             const char *path, store_answer_fn fn, void *ctx);
/* Set the number of instances of a repeat (path as "members"). */
int store_set_repeat_count(store *st, const char *uuid, const char *path,
                           long count);
/* Call fn for every stored repeat count of the interview. */
int store_load_repeat_counts(store *st, const char *uuid, store_repeat_fn fn,
                             void *ctx);
/* How many notes repeat instance path ("members[2]") and the instances
 * inside it hold, or -1. */
long store_instance_notes(store *st, const char *uuid, const char *path);
/* Remove repeat instance path ("members[2]") with everything inside it,
 * shift later instances down by one and decrement the repeat's count. */
int store_delete_repeat_instance(store *st, const char *uuid,
                                 const char *path);
/* Append an event ('enter', 'leave', ...) to the audit trail; detail is
 * kept as the event's new value. */
int store_audit_event(store *st, const char *uuid, const char *event,
                      const char *qid, const char *path, const char *detail);

/* The new value of the latest audit event named event on (uuid, qid,
 * path): 0 with *value newly allocated (NULL when there is none or it has
 * none), or -1. */
int store_audit_last(store *st, const char *uuid, const char *event,
                     const char *qid, const char *path, char **value);

/* One audit row, as given to store_load_audit's callback. */
typedef struct store_audit {
    int64_t seq;
    const char *time, *event, *qid, *path, *old_value, *new_value;
} store_audit;
typedef int (*store_audit_fn)(void *ctx, const store_audit *a);
/* Call fn for each audit event of the interview, oldest first. */
int store_load_audit(store *st, const char *uuid, store_audit_fn fn,
                     void *ctx);

/* Record the supervisor's review of a finished interview against its
 * current revision (made first if the content moved on): status
 * "approved" (comment optional) or "returned" (comment required), with
 * the reviewer's name; a NULL status clears the review.  The one entry
 * point of `khaosat review` and the review screen: drafts, unknown
 * interviews and a return without a comment are refused. */
int store_review_set(store *st, const char *uuid, const char *status,
                     const char *comment, const char *reviewer);
/* The review of an interview: *status and *comment newly allocated, or
 * NULL when there is no review (or no comment).  Returns 0, -1 on failure. */
int store_review_get(store *st, const char *uuid, char **status,
                     char **comment);

/* One interview's review as listed (strings borrowed for the call).
 * state is "unreviewed", "approved", "returned", "changed" (approved, then
 * its content changed) or "corrected" (returned, then finalised again with
 * a different content); status, comment, reviewer, time and revision are
 * NULL when it was never reviewed; key is "" when unknown.  commune is
 * the commune whose office made the review when it came in an upstream
 * bundle (at the province), NULL for a review made here. */
typedef struct store_review {
    const char *interview, *form_id, *key;
    const char *status, *comment, *reviewer, *time, *revision;
    const char *state;
    const char *commune;
} store_review;
typedef int (*store_review_fn)(void *ctx, const store_review *r);
/* Non-zero when state is one of the five review states. */
int store_review_state_valid(const char *state);
/* Call fn for each interview that is complete or reviewed (only uuid
 * when not NULL; only those in state when not NULL), by form, key and
 * UUID: 0, fn's non-zero value, or -1. */
int store_reviews_each(store *st, const char *uuid, const char *state,
                       store_review_fn fn, void *ctx);
/* The review state of one interview (newly allocated; "unreviewed" for a
 * draft never reviewed or an unknown UUID). */
int store_review_state(store *st, const char *uuid, char **state);
/* How many interviews are in state (NULL: complete or reviewed). */
int store_review_count(store *st, const char *state, long *n);

/* Reviews travelling upstream, from an office to the province.  The row of each is a store_down_review with its
 * commune. */
typedef struct store_down_review store_down_review;
/* Call fn for every review made or kept here that names the revision it
 * judged, by interview; commune is the commune that made it, or own (this
 * office's commune) for one made here. 0, fn's non-zero value, or -1. */
int store_reviews_up_each(store *st, const char *own,
                          int (*fn)(void *ctx, const store_down_review *r),
                          void *ctx);
/* Whether a review was made or changed here since the last upstream
 * bundle carried the reviews (*yes). */
int store_reviews_up_pending(store *st, int *yes);
/* Inside the caller's transaction: the reviews sent upstream are those
 * up to the newest one kept now. */
int store_reviews_up_sent_tx(store *st);
/* Inside the caller's transaction: keep review r of an interview here,
 * made by the office of r->commune, unless the interview is not here or
 * the review kept here is as new or newer (1: nothing changed).  0, 1 or
 * -1. */
int store_review_take_tx(store *st, const store_down_review *r);

/* The commune's set-up (store_setup.c).  Settings keys of the commune
 * itself: */
#define STORE_SET_SETUP_CODE "setup_commune_code"
#define STORE_SET_SETUP_NAME "setup_commune_name"
#define STORE_SET_SETUP_PROVINCE "setup_province_code"
/* Set to "office" once a set-up came down in an office's bundle. */
#define STORE_SET_SETUP_FROM "setup_from"
/* Whether this database's set-up is its office's (*yes): its role is not
 * "office", and it is "laptop", or a set-up came down in an office's
 * bundle, or an upstream office is trusted.  0 or -1. */
int store_setup_from_office(store *st, int *yes);
/* One village (strings borrowed); households counts its list. */
typedef struct store_village {
    const char *code, *name, *enumerator;   /* enumerator may be NULL */
    long households;
} store_village;
/* One household of a village's list (strings borrowed). */
typedef struct store_household {
    const char *village, *number, *head;
} store_household;
typedef int (*store_village_fn)(void *ctx, const store_village *v);
/* Replace the village list with v[0..n) in one transaction: villages kept
 * keep their households and enumerator; a code twice is refused and the
 * old list stays. */
int store_villages_replace(store *st, const store_village *v, size_t n);
/* Replace every household list with h[0..n) in one transaction; a
 * household of an unknown village or twice in one village is refused,
 * *bad its index (else n). */
int store_households_replace(store *st, const store_household *h, size_t n,
                             size_t *bad);
/* Say which enumerator covers village code (NULL or "": nobody). */
int store_village_assign(store *st, const char *code, const char *enumerator);
/* Call fn for each village, by code. */
int store_villages_each(store *st, store_village_fn fn, void *ctx);
typedef int (*store_name_fn)(void *ctx, const char *name);
/* Call fn for each enumerator named by a bundle merged here or covering a
 * village, each once, by name (borrowed). */
int store_enumerators_each(store *st, store_name_fn fn, void *ctx);
/* A village of the set-up that interviews here answer (the callers refuse
 * a list that drops one: those answers would no longer be codes of it). */
typedef struct store_village_use {
    char *code, *name;
    long interviews;
} store_village_use;
/* The first village (by code) of this database's set-up that the list
 * keep[0..n) leaves out while interviews here answer it (a question with
 * choices_from: villages in the form version each was taken with): 1
 * with *out filled (store_village_use_clear), 0 when none, -1. */
int store_village_dropped_in_use(store *st, const store_village *keep,
                                 size_t n, store_village_use *out);
/* Free what *u holds. */
void store_village_use_clear(store_village_use *u);
/* What the set-up's household list of a village says of a number. */
typedef struct store_household_check {
    long listed;          /* households on the village's list (0: none) */
    int found;            /* the number is on it */
    char *village_name;   /* the village's name, or NULL: not in the set-up */
} store_household_check;
/* Look number up in the household list of village: 0 with *out filled
 * (free out->village_name), or -1. */
int store_household_listed(store *st, const char *village, const char *number,
                           store_household_check *out);
struct form;
/* Give the select questions of f that take their choices from the
 * set-up's villages (choices_from: villages) this database's villages,
 * when it has any, the form's own codes following as fallback choices
 * (form_bind_list: valid in the answers that hold them, never offered);
 * f keeps its own list otherwise.  0, or -1. */
int store_setup_bind(store *st, struct form *f);

/* Inside the caller's transaction, when this office's commune code
 * changes from old (NULL or "": none) to code: the bundles its laptops
 * sent naming the old code count as of the new one, so that their
 * interviews are checked against, paired and reported under the current
 * set-up (their case keys judged again at the next merge).  0 or -1. */
int store_setup_code_moved_tx(store *st, const char *old, const char *code);

/* The set-up of each commune below, as an office sends it upstream and
 * the level above keeps it (store_setup_up.c).  The limits of a set-up,
 * wherever it comes from (session/setup.h says the same): */
#define STORE_SETUP_MAX_VILLAGES 10000L
#define STORE_SETUP_MAX_NAME 200
/* Non-zero when s is a household number as a set-up keeps it: a whole
 * number from 1 to 9999 written plainly (no sign, space or leading zero),
 * so that one household has one spelling.  The office's household list
 * and the bundle reader check the same. */
int store_household_number_valid(const char *s);
/* Non-zero when s is a village code as a set-up keeps it: 1 to 10
 * letters, digits, '-' or '_' (the office's village list checks the
 * same, and a merge takes such a code the set-up has dropped since). */
int store_village_code_valid(const char *s);
/* One commune's set-up (strings borrowed): its five-digit code, name,
 * province code ("" when none), and the sequence number its office gave
 * it (a newer set-up of the commune has a greater one). */
typedef struct store_commune_setup {
    const char *code, *name, *province;
    long long sequence;
    long villages, households;      /* as listed (store_commune_setups_each) */
    const char *alias;  /* the commune its office's bundles name (NULL:
                         * unknown), for the interviews they bring */
    const char *sender; /* the fingerprint of the office key that sent it */
} store_commune_setup;
/* The largest sequence number a set-up may carry: one greater would lock
 * its commune's set-up at the level above for ever. */
#define STORE_SETUP_MAX_SEQUENCE 2147483647LL
/* The rows an upstream bundle carries: the communes, their villages
 * (commune, code, name, enumerator), their households (commune, village,
 * number, head).  This database's own set-up goes with sequence own_seq;
 * the set-ups kept here from below go with theirs. */
enum store_setup_rows { STORE_SU_COMMUNES, STORE_SU_VILLAGES,
                        STORE_SU_HOUSEHOLDS };
/* Called with each row's columns (borrowed; commune rows: code, name,
 * province, sequence as text). */
typedef int (*store_setup_row_fn)(void *ctx, const char *const *col);
/* Call fn for each row of set q, in key order: 0, fn's value, or -1. */
int store_setups_up_rows(store *st, enum store_setup_rows q,
                         long long own_seq, store_setup_row_fn fn, void *ctx);
/* The sequence number this office's own set-up goes upstream with next
 * (*seq; 0 when it has no commune code, so nothing to send), and whether
 * it changed since the last upstream bundle carried it (*changed). */
int store_setup_up_pending(store *st, long long *seq, int *changed);
/* Inside the caller's transaction: the own set-up went upstream with
 * sequence seq. */
int store_setup_up_sent_tx(store *st, long long seq);
/* Inside the caller's transaction: keep commune c's set-up (villages
 * v[0..nv), households h[0..nh)) in place of the one kept here.  A
 * commune's set-up is bound to the office key that first sent it
 * (c->sender): another key's is refused.  0 kept; STORE_SETUP_OLD when
 * the one kept has as great a sequence (nothing changed); STORE_SETUP_
 * OTHER when it has the same sequence but other content (not kept);
 * STORE_SETUP_BOUND when another office's key sent the commune's set-up
 * (*bound, newly allocated, that key's fingerprint); STORE_SETUP_MOVED
 * when kept in place of the set-up of another code the same key sent
 * before with its own set-up alone (c->alias set): the office corrected
 * its commune code, and what its bundles brought now counts as of c's
 * commune (*bound, newly allocated, the former code); STORE_SETUP_OLDER
 * when such a set-up (c->alias set) is not newer than the set-up of
 * another code the same key sent: the office corrected its code since,
 * that set-up stays and what the key's bundles brought counts as of its
 * commune (*bound, newly allocated, the code kept); -1. */
enum { STORE_SETUP_OLD = 1, STORE_SETUP_OTHER, STORE_SETUP_BOUND,
       STORE_SETUP_MOVED, STORE_SETUP_OLDER };
int store_setup_take_tx(store *st, const store_commune_setup *c,
                        const store_village *v, size_t nv,
                        const store_household *h, size_t nh, char **bound);
/* The code of the set-up kept here for commune (its code; else the
 * commune text an office's older bundles named, when one set-up alone
 * has it; never its name, which two communes may share), newly
 * allocated: 0, 1 when none is kept (*code NULL), -1. */
int store_setup_commune_find(store *st, const char *commune, char **code);
/* The fingerprint of the office key the set-up kept here for commune
 * code is bound to (store_setup_take_tx): 0 with *sender newly allocated
 * (NULL when none is kept or it was kept before keys were bound), -1. */
int store_setup_sender(store *st, const char *code, char **sender);
/* The code of the set-up kept here for the commune interview uuid came
 * from: the commune of the bundle that first brought it (incoming, when
 * not NULL, for one not here yet), else the commune whose office
 * reviewed it; *code newly allocated, NULL when no set-up of it is kept.
 * The one resolution of the merge's checks and of the checks after it.
 * 0 or -1. */
int store_interview_setup(store *st, const char *uuid, const char *incoming,
                          char **code);
/* Give f's village questions (choices_from: villages) the villages of
 * the commune of code as kept here, the form's own codes following (for
 * interviews taken before that commune had a set-up).  0 or -1. */
int store_setup_bind_commune(store *st, struct form *f, const char *code);
/* Whether code is a village of the set-up of a commune other than
 * commune kept here (a level above the communes): 1, 0, or -1. */
int store_village_of_other_commune(store *st, const char *commune,
                                   const char *code);
/* Give f's village questions the villages of the set-up of interview
 * uuid's commune (store_interview_setup), else this database's own.
 * 0 or -1. */
int store_setup_bind_interview(store *st, struct form *f, const char *uuid);
/* Whether interview uuid's review here was made by a commune's office
 * below (*yes): the level above never reopens it.  0 or -1. */
int store_review_from_below(store *st, const char *uuid, int *yes);
typedef int (*store_commune_setup_fn)(void *ctx,
                                      const store_commune_setup *c);
/* Call fn for each commune's set-up kept here (code NULL) or for the one
 * of code, by code. */
int store_commune_setups_each(store *st, const char *code,
                              store_commune_setup_fn fn, void *ctx);
/* Call fn for each village of the set-up of commune code kept here. */
int store_commune_villages_each(store *st, const char *code,
                                store_village_fn fn, void *ctx);

/* Non-zero when path is a well-formed repeat path (see above). */
int store_path_valid(const char *path);

/* A transaction around several store calls that must happen together.
 * BEGIN IMMEDIATE: take the write lock now, so COMMIT cannot be refused. */
int store_begin(store *st);
/* COMMIT, or -1 with the message set. */
int store_commit(store *st);
/* ROLLBACK if a transaction is open; keeps the current message. */
void store_rollback(store *st);

/* The identity and trusted tables (store_keys.c).  Key sizes are
 * libsodium's Ed25519 and X25519 sizes; the keys module checks them. */
#define STORE_SIGN_PK 32
#define STORE_SIGN_SK 64
#define STORE_BOX_PK 32
#define STORE_BOX_SK 32

/* This database's key pairs, secrets included (wipe after use). */
typedef struct store_identity {
    unsigned char sign_pk[STORE_SIGN_PK], sign_sk[STORE_SIGN_SK];
    unsigned char box_pk[STORE_BOX_PK], box_sk[STORE_BOX_SK];
} store_identity;

/* One row of the trusted table; strings owned by the struct. */
typedef struct store_trusted {
    unsigned char sign_pk[STORE_SIGN_PK], box_pk[STORE_BOX_PK];
    char *fingerprint, *role, *commune, *name;
    char *purpose;            /* "upstream" or "accept" */
    char *trusted, *revoked;  /* times; revoked NULL while in force */
    char *device;             /* the device id the card names, or NULL
                                 (a card made before cards named it) */
} store_trusted;

/* Read the identity: 0, 1 when there is none, -1 (store_errmsg). */
int store_identity_get(store *st, store_identity *out);
/* Save the identity; replace: over an existing one, else only when there
 * is none (a racing khaosat keeps the one it made). */
int store_identity_put(store *st, const store_identity *id, int replace);
/* Free t's strings and zero it. */
void store_trusted_clear(store_trusted *t);
/* Insert or update a trusted row (keep: leave an existing one alone). */
int store_trusted_put(store *st, const store_trusted *t, int keep);
/* Trust t now, in one transaction: an upstream card replaces (revokes)
 * every other upstream card. */
int store_trusted_trust(store *st, const store_trusted *t);
/* The row of fingerprint fpr: 0, 1 when there is none, -1. */
int store_trusted_get(store *st, const char *fpr, store_trusted *out);
/* The card in force, other than fpr (may be NULL), that device is bound
 * to: the card names it, or bundles of that device were signed by it.
 * 0 with *out (clear it), 1 when there is none, -1. */
int store_trusted_device_card(store *st, const char *device,
                              const char *fpr, store_trusted *out);
/* The upstream card in force: 0, 1 when there is none, -1. */
int store_trusted_upstream(store *st, store_trusted *out);
/* How many laptop cards this office accepts bundles from. */
int store_trusted_accepting(store *st, long *n);
/* How many cards were ever trusted to send bundles here, revoked ones
 * included (they are never deleted). */
int store_trusted_accepted_ever(store *st, long *n);
/* Whether this database has ever sealed for an office (*yes): then 0 with
 * the latest upstream card in *last (revoked or not; clear it), 1 when no
 * row is left to say which, -1. */
int store_trusted_sealed_out(store *st, int *yes, store_trusted *last);
/* Mark fpr revoked at time when. */
int store_trusted_revoke(store *st, const char *fpr, const char *when);
/* Called for each trusted row (borrowed); non-zero stops the walk. */
typedef int (*store_trusted_fn)(void *ctx, const store_trusted *t);
/* Walk the trusted rows, upstream first, revoked last; fn's non-zero
 * value, 0, or -1 on a read error. */
int store_trusted_each(store *st, store_trusted_fn fn, void *ctx);

/* Conflicts and possible duplicates found by merging
 * (store_conflicts.c).  One conflicting answer, as listed; strings valid
 * during the callback. */
typedef struct store_conflict {
    const char *interview, *qid, *path;
    const char *base, *mine, *theirs;       /* NULL: no answer */
    const char *mine_enumerator, *mine_device, *mine_time;
    const char *theirs_enumerator, *theirs_device, *theirs_time;
    const char *resolved;                   /* revision, or NULL */
} store_conflict;
typedef int (*store_conflict_fn)(void *ctx, const store_conflict *c);
/* Call fn for each unresolved conflict (all of them with all set). */
int store_conflicts_each(store *st, int all, store_conflict_fn fn,
                         void *ctx);

/* One pair of possible duplicates. */
typedef struct store_duplicate {
    const char *a, *b, *form_id, *key;
    const char *a_enumerator, *a_device, *b_enumerator, *b_device;
    const char *a_commune, *b_commune;  /* each one's commune of origin */
    const char *decision;   /* NULL (open), "same" or "different" */
    const char *keep;       /* "same": the one kept (the other superseded) */
} store_duplicate;
typedef int (*store_duplicate_fn)(void *ctx, const store_duplicate *d);
/* Call fn for each pair of possible duplicates, decided or not. */
int store_duplicates_each(store *st, store_duplicate_fn fn, void *ctx);
/* An interview of a household (interviews linked by "same household"
 * decisions) now kept, or now superseded, because one interview of a
 * household is kept: the one its newest decision keeps (strings
 * borrowed). */
typedef struct store_kept_change {
    const char *uuid;
    const char *kept;       /* the household's interview kept */
    int superseded;         /* 1: uuid now superseded; 0: now kept */
} store_kept_change;
typedef int (*store_kept_fn)(void *ctx, const store_kept_change *c);
/* Inside the caller's transaction, after decisions changed (made here,
 * taken from an office below, or forgotten with a key): in every
 * household keep exactly one interview, the one its newest "same"
 * decision keeps (prefer, when not NULL, in its household: the decision
 * just made), by making each decision of the household keep the one of
 * its pair nearer to it (with the time of that newest decision).  fn
 * (NULL: none) is told of each interview whose state changed.  The
 * number of households changed, or -1 (store_dups_kept.c). */
long store_dups_one_kept_tx(store *st, const char *prefer, store_kept_fn fn,
                            void *ctx);
/* What c says, for people (newly allocated). */
char *store_kept_text(const store_kept_change *c);
/* Settle the pair of interviews a and b (either order): decision "same"
 * (the same household: keep, one of the two, stays; the other is
 * superseded, kept in the data but left out of reports and CSV) or
 * "different" (dismissed until a key changes); NULL reopens it.  Then
 * one interview of each household is kept (store_dups_one_kept_tx, fn
 * told of each other interview changed: the one kept here wins).
 * Refused when a and b are not a pair or came from different communes
 * (store_dups.c). */
int store_duplicate_decide(store *st, const char *a, const char *b,
                           const char *decision, const char *keep,
                           store_kept_fn fn, void *ctx);
/* After interview uuid's case key became key (NULL: none): forget its
 * pairs, decisions included, made under another key, so they are judged
 * again (a decided one is remembered as taken back, with the time, for
 * the level above).  Inside the caller's transaction. */
int store_duplicates_rekey(store *st, const char *uuid, const char *key);
/* Forget every pair (decision included) of two interviews from different
 * communes, which an older khaosat made: numbers are per commune.
 * Inside the caller's transaction.  0 or -1. */
int store_duplicates_drop_foreign(store *st);
/* How many pairs are open (not decided). */
int store_duplicates_open(store *st, long *n);

/* The two values of the unresolved conflict on (uuid, qid, path): 0 with
 * *mine and *theirs newly allocated (NULL: no answer), 1 when there is
 * none, -1 on failure. */
int store_conflict_values(store *st, const char *uuid, const char *qid,
                          const char *path, char **mine, char **theirs);
/* Mark the conflicts on (uuid, qid, path) resolved by revision rev. */
int store_conflict_resolve(store *st, const char *uuid, const char *qid,
                        const char *path, const char *rev);

/* The office talking back to its laptops (store_down.c). */
/* Called with each laptop that sent bundles here signed by a laptop card
 * still trusted (device id, fingerprint of its latest signer; borrowed). */
typedef int (*store_down_device_fn)(void *ctx, const char *device,
                                    const char *signer);
/* Call fn for each such laptop (only device when not NULL), by device id:
 * 0, fn's non-zero value, or -1. */
int store_down_devices(store *st, const char *device,
                       store_down_device_fn fn, void *ctx);
/* A review as it travels down to a laptop or up to the province (strings
 * borrowed; comment and reviewer "" when none; revision and content the
 * judged revision and its content hash; commune, upstream only, the
 * commune whose office made it). */
struct store_down_review {
    const char *interview, *status, *comment, *reviewer, *time;
    const char *revision, *content;
    const char *commune;
};
typedef int (*store_down_review_fn)(void *ctx, const store_down_review *r);
/* Call fn for each interview started on device, by UUID: its review
 * here, or status "cleared" (time now, its head) when it has none. */
int store_down_reviews_each(store *st, const char *device,
                            store_down_review_fn fn, void *ctx);
typedef int (*store_household_fn)(void *ctx, const store_household *h);
/* Call fn for each household of every village's list, by village and
 * number. */
int store_households_each(store *st, store_household_fn fn, void *ctx);
/* Inside the caller's transaction: keep the office's review r of an
 * interview of this laptop, unless the review kept here is as new or newer
 * (then 1, nothing changed) or the interview is not here (1).  A return
 * reaching the laptop is audited (event "return": the revision judged and
 * the head found); it reopens an interview still holding the content
 * judged as a draft (audited; *reopened set), and leaves one finished
 * since with other content as it is (*changed set; its comment shown on
 * it, store_returned_get); "cleared" withdraws a return kept here.
 * 0, 1, or -1. */
int store_down_review_tx(store *st, const store_down_review *r,
                         int *reopened, int *changed);
/* Inside the caller's transaction: replace the whole set-up with the
 * office's: commune code, name and province (commune[0..2], NULL or ""
 * to clear), villages v[0..nv) with their enumerators, households
 * h[0..nh).  0 or -1. */
int store_setup_install_tx(store *st, const char *const commune[3],
                           const store_village *v, size_t nv,
                           const store_household *h, size_t nh);
/* How many interviews are returned by the office and not finished again:
 * drafts, and complete ones changed here before the return of an earlier
 * version reached them and not changed since. */
int store_returned_count(store *st, long *n);
/* Called with each such interview: its UUID and the supervisor's comment
 * ("" when none), borrowed; earlier 1 when the return judged an earlier
 * version (the interview is complete). */
typedef int (*store_returned_fn)(void *ctx, const char *uuid,
                                 const char *comment, int earlier);
/* Call fn for each, most recently changed first. */
int store_returned_each(store *st, store_returned_fn fn, void *ctx);
/* Whether interview uuid is one of those: 0 with *comment (newly
 * allocated) and *earlier as above, 1 when it is not, -1. */
int store_returned_get(store *st, const char *uuid, char **comment,
                       int *earlier);
/* A pair of possible duplicates the office decided, as it travels down
 * (strings borrowed; keep "" unless decision is "same"). */
typedef struct store_settled {
    const char *a, *b, *form_id, *key, *decision, *keep, *decided;
} store_settled;
typedef int (*store_settled_fn)(void *ctx, const store_settled *d);
/* At an office: call fn for each decided pair of which an interview was
 * started on device, by a and b. */
int store_down_settled_each(store *st, const char *device,
                            store_settled_fn fn, void *ctx);
/* On a laptop, inside the caller's transaction: keep the office's
 * decision d for each of its two interviews that is here (the other may
 * be on another laptop); *here counts them.  0 or -1. */
int store_settled_put_tx(store *st, const store_settled *d, long *here);
/* On a laptop: call fn for each decision of the office kept here whose
 * pair is not among this database's possible duplicates (the other
 * interview is on another laptop): a is this laptop's interview, b the
 * other, key "". */
int store_settled_each(store *st, store_settled_fn fn, void *ctx);
/* Whether interview uuid is superseded: the office found it the same
 * household as another interview, which it kept (a pair decided here, or
 * a decision that came down to this laptop).  1 with *kept (newly
 * allocated: the UUID kept), 0 when it is not, -1 on failure. */
int store_interview_superseded(store *st, const char *uuid, char **kept);
/* A decision on a pair of possible duplicates as it travels upstream
 * (strings borrowed): a < b; decision "same" (keep: the one kept),
 * "different" or "open" (taken back; keep ""); decided: when, to the
 * millisecond; commune: the commune whose office sent it. */
typedef struct store_up_decision {
    const char *a, *b, *decision, *keep, *decided, *commune;
} store_up_decision;
/* At an office: call fn for each pair decided here or taken back (with
 * the time), by a then b; commune own.  0, fn's non-zero value, or -1. */
int store_decisions_up_each(store *st, const char *own,
                            int (*fn)(void *ctx, const store_up_decision *d),
                            void *ctx);
/* What became of an office's decision at the level above, besides 0
 * (kept on its pair). */
enum {
    STORE_DECISION_OLD = 1,   /* not newer than the one here: not kept */
    STORE_DECISION_LATER,     /* the pair is not flagged here: kept until
                               * it is (store_decisions_later_take_tx) */
    STORE_DECISION_BOUND      /* the pair's commune is not the sender's */
};
/* Whether the office whose key is signer (NULL: unsigned), in a bundle
 * naming commune from, speaks for interview uuid (decides its pairs,
 * reviews it): the set-up kept here for uuid's commune is bound to
 * signer, or, with no set-up bound, uuid came from the commune the bundle
 * names.  0 yes; STORE_DECISION_BOUND with *commune and *bound (NULL when
 * no set-up is bound), newly allocated; -1. */
int store_office_decides(store *st, const char *uuid, const char *signer,
                         const char *from, char **commune, char **bound);
/* At the level above, inside the caller's transaction: keep the decision
 * d that the office with key signer (NULL: unsigned) sent in a bundle
 * naming commune from, on its pair when the pair is flagged here and d
 * is newer than the decision here (the same bundle again, or an older
 * one, changes nothing), else for later (STORE_DECISION_LATER), one per
 * pair and key, replacing the one kept from that key only when newer
 * (else STORE_DECISION_OLD).  Only the office bound to the
 * pair's commune decides it: the key the set-up of the commune of the
 * pair's interviews came with (store_setup_take_tx), or, when no set-up
 * of it is bound, an office naming that commune; otherwise
 * STORE_DECISION_BOUND with *commune (the pair's commune) and *bound (the
 * key bound to it, NULL when none), newly allocated.  -1 on failure. */
int store_decision_take_tx(store *st, const store_up_decision *d,
                           const char *signer, const char *from,
                           const char *bundle, char **commune, char **bound);
/* Where a review or a decision kept for later came from, and, when it is
 * dropped, why (every string newly allocated, freed by store_later_clear):
 * the key that signed its bundle, the commune that bundle named, the
 * bundle's path as merged (NULL when kept before schema 20); commune and
 * bound as store_office_decides gives them. */
typedef struct store_later {
    char *signer, *from, *bundle;
    char *commune, *bound;
} store_later;
/* Free what k holds and empty it. */
void store_later_clear(store_later *k);
/* At the level above, inside the caller's transaction: review r that the
 * office with key signer sent in the bundle at path bundle naming commune
 * from.  For an interview here, kept as store_review_take_tx does when
 * that office speaks for it (store_office_decides): 0 taken, 1 not newer,
 * STORE_DECISION_BOUND with *commune and *bound (newly allocated).  For
 * an interview, or the revision judged (a clear judges none), not here
 * yet: kept for later (STORE_DECISION_LATER), one
 * per interview and key, replacing the one kept from that key only when
 * newer (else STORE_DECISION_OLD).  -1 on failure. */
int store_review_office_tx(store *st, const store_down_review *r,
                           const char *signer, const char *from,
                           const char *bundle, char **commune, char **bound);
/* Called for each review or decision kept for later as it is taken or
 * dropped:
 * outcome 0 taken, STORE_DECISION_OLD not newer than the review here,
 * STORE_DECISION_BOUND dropped (k->commune, k->bound say why); k is
 * borrowed for the call.  Non-zero stops. */
typedef int (*store_later_fn)(void *ctx, int outcome, const store_later *k);
/* Inside the caller's transaction, once interview uuid is here: take the
 * reviews kept for it whose revision is here too (oldest first), each
 * judging the revision it judged, and forget them; the others wait for
 * their revision.  0, or -1. */
int store_reviews_later_take_tx(store *st, const char *uuid,
                                store_later_fn fn, void *ctx);
/* Inside the caller's transaction, once pair a, b (a < b) is flagged
 * here: take the decisions kept for it (STORE_DECISION_LATER, one per
 * sending key), oldest first, each put on the pair when its office
 * decides the pair and it is newer than the decision there, and forget
 * them all; fn is called for each as for a kept review.  0, or -1. */
int store_decisions_later_take_tx(store *st, const char *a, const char *b,
                                  store_later_fn fn, void *ctx);
/* On a laptop, inside the caller's transaction, before the office's
 * decisions are put anew: note the pairs decided here now (for
 * store_settled_gone_tx).  0 or -1 (store_down.c). */
int store_settled_mark_tx(store *st);
/* Once they are put: *n the pairs noted by store_settled_mark_tx that
 * have no decision any more (the office took it back).  0 or -1. */
int store_settled_gone_tx(store *st, long *n);
/* On a laptop, inside the caller's transaction: forget every decision of
 * the office kept here (also on the pairs flagged here), before the
 * complete set of a newer bundle is put.  0 or -1. */
int store_settled_clear_tx(store *st);
/* Settings of the laptop: the last office bundle taken, its time and its
 * sequence number (each followed by "." and the office's device id). */
#define STORE_SET_DOWN_BUNDLE "down_bundle"
#define STORE_SET_DOWN_TIME "down_time"
#define STORE_SET_DOWN_SEQ "down_seq"
/* Setting of the office: the sequence number of its last downstream
 * bundle. */
#define STORE_SET_DOWN_SEQUENCE "down_sequence"

#endif
