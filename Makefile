# Thin wrapper over Meson for the README's commands.
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all demo check bench install clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX)

demo: all
	./demo/demo.sh $(BUILD)/corral

check: all
	./tests/run-all.sh $(BUILD)

bench: all
	./bench/bench.sh $(BUILD)/corral

install: all
	DESTDIR=$(DESTDIR) meson install -C $(BUILD) --no-rebuild

clean:
	rm -rf $(BUILD)
