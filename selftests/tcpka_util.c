// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the tcpka selftests; see tcpka_util.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcpka_util.h"

int write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		ret = -errno ? -errno : -EIO;
	close(fd);
	return ret;
}

int netns_new(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret = 0;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

int netns_fd(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

int netns_set_ka_sysctls(void)
{
	char v[16];
	int err;

	snprintf(v, sizeof(v), "%d", SYSCTL_KA_TIME);
	err = write_file("/proc/sys/net/ipv4/tcp_keepalive_time", v);
	if (err)
		return err;
	snprintf(v, sizeof(v), "%d", SYSCTL_KA_INTVL);
	err = write_file("/proc/sys/net/ipv4/tcp_keepalive_intvl", v);
	if (err)
		return err;
	snprintf(v, sizeof(v), "%d", SYSCTL_KA_PROBES);
	return write_file("/proc/sys/net/ipv4/tcp_keepalive_probes", v);
}

__u64 cg_id(const char *dir)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh.handle_bytes = sizeof(__u64) };
	int mount_id;
	__u64 id;

	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0))
		return 0;
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -EPROTO;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int cg_socket(const char *dir, int family)
{
	char procs[512];
	int sp[2], fd, status;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp))
		return -errno;
	pid = fork();
	if (pid < 0) {
		fd = -errno;
		goto out;
	}
	if (!pid) {
		int s;

		/* "0" moves the writing process itself. */
		if (write_file(procs, "0"))
			_exit(1);
		s = socket(family, SOCK_STREAM, 0);
		if (s < 0 || send_fd(sp[1], s))
			_exit(2);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fd = -ECHILD;
		goto out;
	}
	fd = recv_fd(sp[0]);
out:
	close(sp[0]);
	close(sp[1]);
	return fd;
}

static int getopt_int(int fd, int level, int opt, int *val)
{
	socklen_t len = sizeof(*val);

	return getsockopt(fd, level, opt, val, &len) ? -errno : 0;
}

int ka_get(int fd, struct ka *ka)
{
	unsigned int ut = 0;
	socklen_t len = sizeof(ut);

	if (getopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, &ka->on) ||
	    getopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, &ka->idle) ||
	    getopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, &ka->intvl) ||
	    getopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT, &ka->cnt) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, &len))
		return -errno;
	ka->ut = (int)ut;
	return 0;
}

const char *ka_str(const struct ka *ka, char *buf, size_t len)
{
	snprintf(buf, len, "on=%d idle=%d intvl=%d cnt=%d ut=%d",
		 ka->on, ka->idle, ka->intvl, ka->cnt, ka->ut);
	return buf;
}

bool ka_eq(const struct ka *a, const struct ka *b)
{
	return !!a->on == !!b->on && a->idle == b->idle &&
	       a->intvl == b->intvl && a->cnt == b->cnt && a->ut == b->ut;
}

static socklen_t loopback(int family, __u16 port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	return sizeof(struct sockaddr_in);
}

__u16 sock_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int sock_family(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	return ss.ss_family;
}

int tcp_listen(int fd, int family, __u16 port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	int one = 1, err;

	if (fd < 0)
		fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int ping_pong(int a, int b)
{
	char c = 'k';

	if (write(a, &c, 1) != 1 || read(b, &c, 1) != 1 ||
	    write(b, &c, 1) != 1 || read(a, &c, 1) != 1)
		return -errno ? -errno : -EIO;
	return 0;
}

int tcp_pair(struct tpair *p, int lfd, int cfd, __u16 cport)
{
	struct sockaddr_storage ss;
	int family = sock_family(lfd), one = 1, err;
	socklen_t len;

	memset(p, 0, sizeof(*p));
	p->cli = p->srv = -1;
	if (family < 0)
		return family;
	p->family = family;
	p->sport = sock_port(lfd);
	if (cfd < 0)
		cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		return -errno;
	p->cli = cfd;
	if (cport) {
		len = loopback(family, cport, &ss);
		if (setsockopt(cfd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) ||
		    bind(cfd, (struct sockaddr *)&ss, len))
			goto fail;
	}
	len = loopback(family, p->sport, &ss);
	if (connect(cfd, (struct sockaddr *)&ss, len))
		goto fail;
	p->cport = sock_port(cfd);
	p->srv = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (p->srv < 0)
		goto fail;
	err = ping_pong(p->cli, p->srv);
	if (err) {
		tcp_pair_close(p);
		return err;
	}
	return 0;
fail:
	err = -errno;
	tcp_pair_close(p);
	return err;
}

void sock_close_rst(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

void tcp_pair_close(struct tpair *p)
{
	sock_close_rst(p->cli);
	sock_close_rst(p->srv);
	p->cli = p->srv = -1;
}

int proc_tcp_timer(int family, __u16 lport, __u16 rport)
{
	const char *path = family == AF_INET6 ? "/proc/net/tcp6" :
						"/proc/net/tcp";
	char line[512];
	int ret = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	/* sl local rem st queues tr:when ...; addresses end in ":PORT". */
	while (fgets(line, sizeof(line), f)) {
		char local[64], rem[64];
		unsigned int lp, rp, st, tr;
		char *c;

		if (sscanf(line, " %*s %63s %63s %x %*x:%*x %x:", local, rem,
			   &st, &tr) != 4)
			continue;
		c = strrchr(local, ':');
		if (!c || sscanf(c + 1, "%x", &lp) != 1)
			continue;
		c = strrchr(rem, ':');
		if (!c || sscanf(c + 1, "%x", &rp) != 1)
			continue;
		if (lp == lport && rp == rport) {
			ret = tr;
			break;
		}
	}
	fclose(f);
	return ret;
}

int proc_tcp_timer_wait(int family, __u16 lport, __u16 rport, int want)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	int i, tr = -1;

	for (i = 0; i < 100; i++) {
		tr = proc_tcp_timer(family, lport, rport);
		if (tr == want)
			break;
		nanosleep(&ts, NULL);
	}
	return tr;
}
