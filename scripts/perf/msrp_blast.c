// A pipelined MSRP test client for `msrpcharge serve` (and any IM server that sets up MSRP
// sessions with SIP over UDP): it plays both ends of every session, as the wire figures in the
// README need until `msrpcharge load` exists. Not part of the engine.
//
// Set-up: one recipient registers; for each session the caller INVITEs it with an MSRP offer,
// the recipient answers with its MSRP path, the server connects to it, the caller gets the
// server's path, ACKs and connects. Then every caller connection sends one-chunk messages
// (flag $, SIZE body bytes, Failure-Report yes) keeping at most WINDOW unanswered, or at RATE
// chunks/s in all (open loop: latency counts from when each chunk was due, as wrk2 does);
// the recipient side answers every forwarded SEND with 200. Latency is SEND written → its
// 200 OK read, in a log-linear histogram. Prints one line of figures.
//
// With MSRP_RELAY=PORT, every caller sends through an RFC 4976 relay on 127.0.0.1:PORT (Kamailio's
// msrp module): the To-Path starts with the relay's URI, and the caller's own URI carries the
// port its connection is bound to, so the relay can send the responses back on that connection.
//
// cc -O2 -o msrp_blast msrp_blast.c
// msrp_blast SIP_PORT SESSIONS WINDOW SECONDS SIZE [RATE]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
static void die(const char *m) { fprintf(stderr, "msrp_blast: %s (errno %d)\n", m, errno); exit(1); }
static struct sockaddr_in addr(int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = inet_addr("127.0.0.1");
  return a;
}
static int udp_socket(int *port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = addr(0);
  if (bind(fd, (void *)&a, sizeof a)) die("bind udp");
  socklen_t l = sizeof a;
  getsockname(fd, (void *)&a, &l);
  *port = ntohs(a.sin_port);
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}
// Receives one SIP message; skips provisional responses.
static int sip_recv(int fd, char *buf, int cap) {
  for (;;) {
    int n = recv(fd, buf, cap - 1, 0);
    if (n <= 0) die("no SIP message within 5 s");
    buf[n] = 0;
    if (strncmp(buf, "SIP/2.0 1", 9) == 0) continue;
    return n;
  }
}
// Copies header `name` (a whole line with CRLF) of msg into out.
static int header(const char *msg, const char *name, char *out) {
  char key[64];
  snprintf(key, sizeof key, "\r\n%s:", name);
  const char *p = strcasestr(msg, key);
  if (!p) return 0;
  p += 2;
  const char *e = strstr(p, "\r\n");
  int n = e - p + 2;
  memcpy(out, p, n);
  out[n] = 0;
  return n;
}
static const char *sdp(const char *path, char *out) {
  sprintf(out, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 9 TCP/MSRP *\r\n"
               "a=accept-types:text/plain\r\na=path:%s\r\n", path);
  return out;
}

#define BUCKETS (64 * 16)
static uint64_t hist[BUCKETS];
static uint64_t recorded;
static void record(double seconds) {
  uint64_t ns = seconds <= 0 ? 1 : (uint64_t)(seconds * 1e9);
  int e = 63 - __builtin_clzll(ns | 1);
  int sub = e >= 4 ? (int)((ns >> (e - 4)) & 15) : 0;
  hist[e * 16 + sub]++;
  recorded++;
}
static double percentile(double q) {
  uint64_t want = (uint64_t)(q * recorded), seen = 0;
  for (int i = 0; i < BUCKETS; i++) {
    seen += hist[i];
    if (seen > want || (seen == recorded && hist[i])) {
      int e = i / 16, sub = i % 16;
      double v = e >= 4 ? (double)((16ull + sub + 1) << (e - 4)) : (double)(1ull << e);
      return v / 1e3;  // µs, upper edge of the bucket
    }
  }
  return 0;
}

typedef struct {
  int fd;
  int recipient;
  char path[320];  // the server's path (caller side) or the server's URI (recipient side)
  char own[160];
  char *in;
  int inlen, incap;
  char *out;
  int outlen, outcap;
  uint64_t sent, answered;
  double *times;  // ring of due times, WINDOWMAX
} conn_t;

#define RING 65536
int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: msrp_blast SIP_PORT SESSIONS WINDOW SECONDS SIZE [RATE]\n");
    return 2;
  }
  int sip = atoi(argv[1]), sessions = atoi(argv[2]), window = atoi(argv[3]);
  double seconds = atof(argv[4]), rate = argc > 6 ? atof(argv[6]) : 0;
  int size = atoi(argv[5]);
  int relay = getenv("MSRP_RELAY") ? atoi(getenv("MSRP_RELAY")) : 0;
  if (window > RING / 2) window = RING / 2;
  struct sockaddr_in server = addr(sip);
  char buf[65536], msg[8192], body[1024], h1[512], h2[512], h3[512], h4[512], h5[512];
  int rport, cport;
  int rfd = udp_socket(&rport), cfd = udp_socket(&cport);
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in la = addr(0);
  if (bind(lfd, (void *)&la, sizeof la) || listen(lfd, 1024)) die("listen");
  socklen_t ll = sizeof la;
  getsockname(lfd, (void *)&la, &ll);
  int lport = ntohs(la.sin_port);
  // REGISTER the recipient.
  int n = sprintf(msg, "REGISTER sip:example.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKreg\r\n"
                       "Max-Forwards: 70\r\nFrom: <sip:blastb@example.test>;tag=r1\r\nTo: <sip:blastb@example.test>\r\n"
                       "Call-ID: reg-blast\r\nCSeq: 1 REGISTER\r\nContact: <sip:blastb@127.0.0.1:%d>\r\nExpires: 3600\r\n"
                       "Content-Length: 0\r\n\r\n", rport, rport);
  sendto(rfd, msg, n, 0, (void *)&server, sizeof server);
  sip_recv(rfd, buf, sizeof buf);
  if (strncmp(buf, "SIP/2.0 200", 11)) die("REGISTER refused");
  conn_t *conns = calloc(2 * sessions, sizeof(conn_t));
  double setup_start = now();
  for (int i = 0; i < sessions; i++) {
    char cpath[128], rpath[128];
    sprintf(cpath, "msrp://127.0.0.1:9/c%06d;tcp", i);
    sprintf(rpath, "msrp://127.0.0.1:%d/r%06d;tcp", lport, i);
    sdp(cpath, body);
    n = sprintf(msg, "INVITE sip:blastb@example.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKi%d\r\n"
                     "Max-Forwards: 70\r\nFrom: <sip:blasta@example.test>;tag=a%d\r\nTo: <sip:blastb@example.test>\r\n"
                     "Call-ID: blast-%d\r\nCSeq: 1 INVITE\r\nContact: <sip:blasta@127.0.0.1:%d>\r\n"
                     "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                cport, i, i, i, cport, strlen(body), body);
    sendto(cfd, msg, n, 0, (void *)&server, sizeof server);
    do sip_recv(rfd, buf, sizeof buf);  // the forwarded INVITE (the last session's ACK may come first)
    while (strncmp(buf, "ACK", 3) == 0);
    if (strncmp(buf, "INVITE", 6)) { fprintf(stderr, "%s\n", buf); die("expected the forwarded INVITE"); }
    header(buf, "Via", h1), header(buf, "From", h2), header(buf, "To", h3), header(buf, "Call-ID", h4),
        header(buf, "CSeq", h5);
    h3[strlen(h3) - 2] = 0;
    sdp(rpath, body);
    n = sprintf(msg, "SIP/2.0 200 OK\r\n%s%s%s;tag=b%d\r\n%s%sContact: <sip:blastb@127.0.0.1:%d>\r\n"
                     "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                h1, h2, h3, i, h4, h5, rport, strlen(body), body);
    sendto(rfd, msg, n, 0, (void *)&server, sizeof server);
    int afd = accept(lfd, NULL, NULL);
    if (afd < 0) die("accept");
    conn_t *r = &conns[2 * i + 1];
    r->fd = afd, r->recipient = 1;
    strcpy(r->own, rpath);
    sip_recv(cfd, buf, sizeof buf);  // 200 OK to the caller (the recipient's ACK waits in its socket)
    if (strncmp(buf, "SIP/2.0 200", 11)) { fprintf(stderr, "%s\n", buf); die("INVITE not answered 200"); }
    header(buf, "To", h3);
    n = sprintf(msg, "ACK sip:msrpcharge@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKa%d\r\n"
                     "Max-Forwards: 70\r\nFrom: <sip:blasta@example.test>;tag=a%d\r\n%sCall-ID: blast-%d\r\n"
                     "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n", sip, cport, i, i, h3, i);
    sendto(cfd, msg, n, 0, (void *)&server, sizeof server);
    char *p = strstr(buf, "a=path:");
    if (!p) die("no a=path in the 200 OK");
    p += 7;
    char *e = strstr(p, "\r\n");
    conn_t *c = &conns[2 * i];
    memcpy(c->path, p, e - p);
    strcpy(c->own, cpath);
    int port = atoi(strrchr(strchr(c->path + 7, ':'), ':') + 1);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (relay) {
      struct sockaddr_in own = addr(0);
      if (bind(c->fd, (void *)&own, sizeof own)) die("bind the caller's MSRP socket");
      socklen_t ol = sizeof own;
      getsockname(c->fd, (void *)&own, &ol);
      sprintf(c->own, "msrp://127.0.0.1:%d/c%06d;tcp", ntohs(own.sin_port), i);
      char both[320];
      snprintf(both, sizeof both, "msrp://127.0.0.1:%d/k%06d;tcp %s", relay, i, c->path);
      strcpy(c->path, both);
      port = relay;
    }
    struct sockaddr_in sa = addr(port);
    if (connect(c->fd, (void *)&sa, sizeof sa)) die("connect to the server's MSRP path (or the relay)");
  }
  double setup_seconds = now() - setup_start;
  // drain the recipient's ACKs
  struct timeval tv = {0, 100000};
  setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (recv(rfd, buf, sizeof buf, 0) > 0) {}
  int ep = epoll_create1(0);
  for (int i = 0; i < 2 * sessions; i++) {
    conn_t *c = &conns[i];
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->incap = 1 << 20, c->in = malloc(c->incap);
    c->outcap = 1 << 20, c->out = malloc(c->outcap);
    c->times = calloc(RING, sizeof(double));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  }
  char payload[4096];
  memset(payload, 'x', size < 4096 ? size : 4095);
  double start = now(), end = start + seconds, per_conn = rate > 0 ? rate / sessions : 0;
  uint64_t total_sent = 0, total_answered = 0, non200 = 0;
  char first_non200[4] = "-";
  struct epoll_event events[256];
  while (now() < end) {
    double t = now();
    // Senders: fill each caller connection's output up to its window (or what is due).
    for (int i = 0; i < sessions; i++) {
      conn_t *c = &conns[2 * i];
      while (c->sent - c->answered < (uint64_t)window && c->outlen < c->outcap - 8192) {
        double due = per_conn > 0 ? start + c->sent / per_conn : t;
        if (due > t) break;
        c->times[c->sent % RING] = due;
        c->outlen += sprintf(c->out + c->outlen,
                             "MSRP b%09llu SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\nMessage-ID: m%09llu\r\n"
                             "Byte-Range: 1-%d/%d\r\nContent-Type: text/plain\r\n\r\n%.*s\r\n-------b%09llu$\r\n",
                             (unsigned long long)c->sent, c->path, c->own, (unsigned long long)c->sent, size, size, size,
                             payload, (unsigned long long)c->sent);
        c->sent++;
      }
    }
    for (int i = 0; i < 2 * sessions; i++) {
      conn_t *c = &conns[i];
      if (c->outlen > 0) {
        ssize_t w = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
        if (w > 0) {
          memmove(c->out, c->out + w, c->outlen - w);
          c->outlen -= w;
        }
      }
    }
    int k = epoll_wait(ep, events, 256, per_conn > 0 ? 1 : 10);
    for (int j = 0; j < k; j++) {
      conn_t *c = &conns[events[j].data.u32];
      for (;;) {
        ssize_t r = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
        if (r <= 0) break;
        c->inlen += r;
      }
      // Whole frames: up to each end-line "-------TID$\r\n".
      int off = 0;
      double t2 = now();
      for (;;) {
        char *f = c->in + off;
        int left = c->inlen - off;
        if (left < 16) break;
        char *sp = memchr(f + 5, ' ', left - 5);
        if (!sp) break;
        int tidlen = sp - (f + 5);
        char endline[64];
        int el = sprintf(endline, "-------%.*s", tidlen, f + 5);
        char *e = memmem(f, left, endline, el);
        if (!e || e + el + 3 > c->in + c->inlen) break;
        int flen = (e + el + 3) - f;
        if (!c->recipient) {
          if (strncmp(sp + 1, "200", 3)) {
            if (!non200) memcpy(first_non200, sp + 1, 3), first_non200[3] = 0;
            non200++;
          }
          record(t2 - c->times[c->answered % RING]);
          c->answered++;
          total_answered++;
        } else if (strncmp(sp + 1, "SEND", 4) == 0) {
          if (!c->path[0]) {  // the binding SEND: the server's From-Path is our To-Path
            char *fp = memmem(f, flen, "From-Path: ", 11);
            char *fe = strstr(fp, "\r\n");
            memcpy(c->path, fp + 11, fe - fp - 11);
          }
          c->outlen += sprintf(c->out + c->outlen, "MSRP %.*s 200 OK\r\nTo-Path: %s\r\nFrom-Path: %s\r\n-------%.*s$\r\n",
                               tidlen, f + 5, c->path, c->own, tidlen, f + 5);
        }
        off += flen;
      }
      memmove(c->in, c->in + off, c->inlen - off);
      c->inlen -= off;
    }
  }
  double elapsed = now() - start;
  for (int i = 0; i < sessions; i++) total_sent += conns[2 * i].sent;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("msrp_blast: %d sessions set up in %.2f s; %llu chunks sent, %llu answered (%llu not 200) in %.2f s: "
         "%.0f chunks/s answered; latency p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us; client CPU %.2f s; "
         "first status not 200: %s\n",
         sessions, setup_seconds, (unsigned long long)total_sent, (unsigned long long)total_answered,
         (unsigned long long)non200, elapsed, total_answered / elapsed, percentile(0.5), percentile(0.99),
         percentile(0.999), percentile(1.0), cpu, first_non200);
  return non200 ? 1 : 0;
}
