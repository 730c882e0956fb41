/* SPDX-License-Identifier: MIT */
/*
 * setup_texts: print what corral-setup would install for another program to
 * read, so that program can validate it (tests/platform/validate.sh).
 *
 *   setup_texts apparmor CORRAL RUNNER   the AppArmor profile
 *   setup_texts unit SETUP               the systemd unit
 *   setup_texts corral-path SETUP        the corral the profile names
 */
#include <stdio.h>
#include <string.h>

#include "setup/texts.h"

int main(int argc, char **argv)
{
	char buf[4096];
	if (argc == 4 && strcmp(argv[1], "apparmor") == 0)
		apparmor_profile_text(buf, sizeof(buf), argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "unit") == 0)
		firewall_unit_text(buf, sizeof(buf), argv[2]);
	else if (argc == 3 && strcmp(argv[1], "corral-path") == 0) {
		setup_corral_path(argv[2], buf, sizeof(buf));
		strcat(buf, "\n");
	}
	else {
		fprintf(stderr, "usage: setup_texts apparmor CORRAL RUNNER | unit SETUP | corral-path SETUP\n");
		return 2;
	}
	fputs(buf, stdout);
	return 0;
}
