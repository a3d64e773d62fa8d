/* Fault injection rules: "api=PullLogs,type=500,rate=0.1[,ms=200][,count=3]", set with
 * --fault at start or through the control plane. Every function needs srv->lock held. */
#ifndef EMU_FAULTS_H
#define EMU_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "emu.h"

/* Parses one rule; false with a reason in |why|. */
bool emu_faults_parse(const char *spec, struct emu_fault *out, char *why, size_t why_size);
/* Adds a rule and returns its id, or -1 when the table is full. */
int emu_faults_add(struct emu_faults *faults, const struct emu_fault *rule);
bool emu_faults_remove(struct emu_faults *faults, int id);
void emu_faults_clear(struct emu_faults *faults);

struct emu_fault_decision {
    int delay_ms;                  /* sum of the latency rules that fired */
    const struct emu_fault *error; /* first error/drop/truncate rule that fired, or NULL */
};

/* Rolls every rule matching |api| once; counts what fired. */
void emu_faults_decide(struct emu_faults *faults, enum emu_api api, struct emu_fault_decision *out);
const char *emu_fault_type_name(enum emu_fault_type type);
json_t *emu_faults_to_json(const struct emu_faults *faults);

#endif
