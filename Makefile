# Thin wrapper over Meson for the README's commands.
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps demo check check-containers bench install clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Build and test dependencies (Debian/Ubuntu packages), installed if missing.
deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	@./scripts/install-deps.sh
	meson setup $(BUILD) --prefix=$(PREFIX)

demo: all
	./demo/demo.sh $(BUILD)/corral

check: deps all
	./tests/run-all.sh $(BUILD)

# corral in real podman containers (tests/containers/run.sh; root, podman and
# debootstrap needed, else it skips saying why). CI runs it after check.
check-containers: all
	./tests/containers/run.sh $(BUILD)

bench: deps all
	./bench/bench.sh $(BUILD)/corral
	./bench/nested.sh $(BUILD)/corral
	./bench/pinning.sh $(BUILD)/corral
	./bench/gitlayout.sh $(BUILD)/corral
	./bench/users.sh $(BUILD)
	./bench/mcp.sh $(BUILD)/corral
	./bench/caches.sh $(BUILD)/corral
	./bench/sockets.sh $(BUILD)/corral
	./bench/concurrency.sh $(BUILD)/corral
	./bench/proxy.sh $(BUILD)/corral

install: all
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	ninja -C $(BUILD)
	DESTDIR=$(DESTDIR) meson install -C $(BUILD) --no-rebuild

clean:
	rm -rf $(BUILD)

# The Windows backend (docs/windows.md): cross-build with mingw-w64, test under Wine.
.PHONY: check-windows
check-windows:
	[ -f build-win/build.ninja ] || meson setup build-win --cross-file cross/x86_64-w64-mingw32.txt
	ninja -C build-win
	./tests/windows/run.sh build-win
