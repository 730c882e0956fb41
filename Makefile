# Thin wrapper over Meson for the README's commands.
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps demo check check-containers bench install uninstall clean

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

# Removes what `make install` installed (same BUILD, PREFIX and DESTDIR).
# The users backend is installed by `corral setup` into the same libexec
# directory: remove it first with `sudo corral-setup --uninstall`.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -e /etc/corral/setup.json ]; then \
		echo "make uninstall: the users backend is installed (/etc/corral/setup.json): run \`sudo corral-setup --uninstall\` first" >&2; \
		exit 1; fi
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	meson introspect --installed $(BUILD) | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' | \
	while read -r f; do \
		[ -n "$$f" ] || continue; \
		if [ -e "$(DESTDIR)$$f" ] || [ -L "$(DESTDIR)$$f" ]; then rm -f "$(DESTDIR)$$f" && echo "removed $(DESTDIR)$$f"; fi; \
		case "$$f" in */corral/*) rmdir "$$(dirname "$(DESTDIR)$$f")" 2> /dev/null || true ;; esac; \
	done

clean:
	rm -rf $(BUILD)

# The Windows backend (docs/windows.md): cross-build with mingw-w64, test under Wine.
.PHONY: check-windows
check-windows:
	[ -f build-win/build.ninja ] || meson setup build-win --cross-file cross/x86_64-w64-mingw32.txt
	ninja -C build-win
	./tests/windows/run.sh build-win
