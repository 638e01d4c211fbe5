// SPDX-License-Identifier: GPL-2.0
/*
 * sockops_run: attach a cgroup sock_ops program, run a command, detach.
 *
 *   sockops_run OBJECT CGROUP COMMAND [ARG...]
 *
 * Loads the first program of the BPF object file OBJECT with libbpf,
 * attaches it to the cgroup v2 directory CGROUP (a bpf_link: it goes away
 * with this process), runs COMMAND and exits with its status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	int cg, status, ret = 1;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: sockops_run OBJECT CGROUP COMMAND [ARG...]\n");
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "sockops_run: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "sockops_run: loading %s: %s\n", argv[1],
			strerror(errno));
		goto out_obj;
	}
	prog = bpf_object__next_program(obj, NULL);
	if (!prog) {
		fprintf(stderr, "sockops_run: %s has no program\n", argv[1]);
		goto out_obj;
	}
	cg = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		fprintf(stderr, "sockops_run: %s: %s\n", argv[2], strerror(errno));
		goto out_obj;
	}
	link = bpf_program__attach_cgroup(prog, cg);
	if (!link) {
		fprintf(stderr, "sockops_run: attaching to %s: %s\n", argv[2],
			strerror(errno));
		goto out_cg;
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("sockops_run: fork");
	} else if (!pid) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "sockops_run: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	} else if (waitpid(pid, &status, 0) == pid) {
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}

	bpf_link__destroy(link);
out_cg:
	close(cg);
out_obj:
	bpf_object__close(obj);
	return ret;
}
