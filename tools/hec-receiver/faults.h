/* Fault injection rules, `type=TYPE[,endpoint=E][,rate=R][,count=N][,ms=MS][,code=C]
 * [,status=S][,retry_after=S][,k=N]` (README.md), set with --fault at start or through the
 * control plane. Functions taking a struct hec_faults need srv->lock held. */
#ifndef HEC_FAULTS_H
#define HEC_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "hec.h"

/* Parses one rule; false with a reason in |why|. */
bool hec_faults_parse(const char *spec, struct hec_fault *out, char *why, size_t why_size);
/* Adds a rule and returns its id, or -1 when the table is full. */
int hec_faults_add(struct hec_faults *faults, const struct hec_fault *rule);
bool hec_faults_remove(struct hec_faults *faults, int id);
void hec_faults_clear(struct hec_faults *faults);

struct hec_fault_decision {
    int delay_ms;   /* sum of the latency rules that fired */
    bool has_error; /* |error| holds the first answer-changing rule that fired */
    struct hec_fault error;
    bool is_ack_lost;   /* a lost_ack rule fired */
    int unhealthy_code; /* 18, 19 or 20 when an unhealthy rule fired, else 0 */
    int n_fired;
};

/* Rolls every rule matching |endpoint| once and counts what fired. lost_ack rules are only
 * rolled when |has_ack| (the request will get an ackId). */
void hec_faults_decide(struct hec_faults *faults,
                       enum hec_endpoint endpoint,
                       bool has_ack,
                       struct hec_fault_decision *out);
json_t *hec_faults_to_json(const struct hec_faults *faults);

#endif
