/* fuzz_form.c: libFuzzer target for the form loader. Any input must give a
 * form or diagnostics, never a crash, leak or undefined behaviour. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "core/form.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list d;
    diag_init(&d);
    form *f = form_load_string((const char *)data, size, "fuzz.yaml", &d);
    form_free(f);
    diag_free(&d);
    return 0;
}
