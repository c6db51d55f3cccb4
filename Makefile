# PGXS build of the cohort extension (the C++ core is also built and unit-tested by CMakeLists.txt).
EXTENSION = cohort
EXTVERSION = 0.1.0

MODULE_big = cohort
CORE_OBJS = $(patsubst %.cpp,%.o,$(wildcard src/core/*.cpp))
GLUE_OBJS = $(patsubst %.cpp,%.o,$(wildcard src/pg/*.cpp))
OBJS = $(CORE_OBJS) $(GLUE_OBJS)

DATA = $(EXTENSION)--$(EXTVERSION).sql $(wildcard sql/install/$(EXTENSION)--*--*.sql)
EXTRA_CLEAN = $(EXTENSION)--$(EXTVERSION).sql

# Every sql/*.sql file is a pg_regress test; expected output lives in expected/.
TESTS = $(wildcard sql/*.sql)
REGRESS = $(patsubst sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --load-extension=$(EXTENSION)
TAP_TESTS = 1
# Every specs/*.spec file is an isolation test (concurrent sessions).
ISOLATION = $(patsubst specs/%.spec,%,$(wildcard specs/*.spec))

# C++ sources: no LLVM bitcode for JIT inlining (PGXS would try to compile it with clang).
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

override CXXFLAGS += -std=c++17 -fPIC -fexceptions -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register
override CPPFLAGS := -I$(srcdir)/src $(patsubst -I%,-isystem %,$(CPPFLAGS))
SHLIB_LINK += -lstdc++
# Calls between the library's own functions bind directly (PostgreSQL 15 exports every symbol, so
# without this each went through the PLT and none could be inlined across an interposition point).
override CXXFLAGS += -fno-semantic-interposition
SHLIB_LINK += -Wl,-Bsymbolic-functions

# Header dependencies: every object is rebuilt when a header it includes changes.
override CXXFLAGS += -MMD -MP
EXTRA_CLEAN += $(OBJS:.o=.d)
-include $(OBJS:.o=.d)

# The install script is the sql/install/NN_*.sql sources, concatenated in order.
INSTALL_SOURCES = $(sort $(wildcard sql/install/[0-9][0-9]_*.sql))
$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_SOURCES)
	cat $^ > $@

all: $(EXTENSION)--$(EXTVERSION).sql
