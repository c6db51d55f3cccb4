// Module magic block: marks cohort.so as a PostgreSQL 15 extension library.
#include "pg/postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
