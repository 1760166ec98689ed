// Replaced by the JobStore implementation.
#include "job_store.h"
