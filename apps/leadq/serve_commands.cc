#include "serve_commands.h"

#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "cli_support.h"
#include "server/api.h"
#include "service/access.h"
#include "service/demo_workspace.h"

namespace leadq::cli {

namespace {

struct ServeOptions {
  Common common;
  std::string listen = "127.0.0.1:8080";
  std::string web;
  std::string tls_cert, tls_key;
  size_t threads = 16;
  bool demo = false;
  bool no_background = false;
  size_t demo_leads = 2000;
};

// "host:port", "[::1]:8080" or ":8080" (all addresses on IPv4 then).
bool ParseListen(const std::string& text, std::string& host, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  port = std::stoi(p);
  return port <= 65535;
}

CommandResult RunServe(const ServeOptions& o) {
  std::string host;
  int port = 0;
  if (!ParseListen(o.listen, host, port)) {
    std::cerr << "leadq serve: --listen \"" << o.listen
              << "\" is not HOST:PORT (for example 127.0.0.1:8080, or :0 for any free port)\n";
    return {kExitUsage};
  }
  const std::filesystem::path dir = service::ResolveWorkspaceDir(o.common.workspace);
  const TimePoint now = Now();
  if (o.demo) {
    Result<service::DemoWorkspaceReport> seeded =
        service::SeedDemoWorkspace(dir, {.leads = o.demo_leads, .as_of = now});
    if (!seeded.ok()) return Fail("serve", seeded.status());
    if (seeded->seeded) {
      std::cout << "leadq serve: seeded the demo workspace " << dir.string()
                << " (synthetic data): " << seeded->leads << " leads, " << seeded->accounts
                << " accounts, " << seeded->events << " events, " << seeded->deals << " deals, "
                << seeded->shipments << " customs records, " << seeded->mqls << " MQLs handed to "
                << seeded->owners.size() << " owners\n";
    }
  }
  Result<service::Workspace> ws = service::OpenWorkspace(dir);
  if (!ws.ok()) return Fail("serve", ws.status());

  std::string demo_token;
  if (o.demo) {
    // A fresh admin token for this run, so that the person at the keyboard can sign in.
    Result<service::NewToken> token =
        service::CreateToken(*ws, "demo-admin-" + std::to_string(now / kMicrosPerSecond),
                             service::Role::kAdmin, "", now);
    if (!token.ok()) return Fail("serve", token.status());
    demo_token = token->secret;
  }

  server::ApiOptions options;
  options.host = host;
  options.port = port;
  options.threads = o.threads;
  options.tls_cert = o.tls_cert;
  options.tls_key = o.tls_key;
  options.background = !o.no_background;
  std::filesystem::path web = o.web;
#ifdef LEADQ_WEB_DIR
  if (web.empty() && std::filesystem::is_directory(LEADQ_WEB_DIR)) web = LEADQ_WEB_DIR;
#endif
  options.web_dir = web;
  auto log_mu = std::make_shared<std::mutex>();
  options.log = [log_mu](const std::string& line) {
    std::lock_guard<std::mutex> lock(*log_mu);
    std::cerr << "leadq serve: " << line << "\n";
  };

  // SIGINT and SIGTERM are taken by this thread (sigwait), never by a worker: block them before
  // any thread starts so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  server::ApiServer api(*ws, options);
  Result<int> bound = api.Start();
  if (!bound.ok()) return Fail("serve", bound.status());
  const std::string scheme = o.tls_cert.empty() ? "http" : "https";
  const std::string shown_host = host == "0.0.0.0" ? "127.0.0.1" : host;
  std::cout << "leadq serve: " << ws->store->Describe() << " on " << scheme << "://" << shown_host
            << ":" << *bound << "/ ("
            << (web.empty() ? "API only, no dashboard directory" : "dashboard and API")
            << "); stop with Ctrl-C\n";
  if (!demo_token.empty()) {
    std::cout << "leadq serve: sign in with this admin token (shown once): " << demo_token << "\n";
  }
  std::cout.flush();
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << "leadq serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ": finishing requests in flight, then stopping\n";
  api.Stop();
  api.Wait();
  std::cerr << "leadq serve: stopped\n";
  return {0};
}

}  // namespace

void AddServeCommands(CLI::App& app, std::vector<Runnable>& out) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the workspace: the HTTP API under /api/v1 and the web dashboard");
  AddWorkspaceOption(cmd, o->common);
  cmd->add_option("--listen", o->listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8080; :0 any port)");
  cmd->add_option("--web", o->web,
                  "The dashboard's directory (default: the web/ of the build's source)");
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate: serve HTTPS (with --tls-key)");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--threads", o->threads,
                  "Worker threads, each serving one connection at a time (default 16)")
      ->check(CLI::Range(2, 512));
  cmd->add_flag(
      "--demo", o->demo,
      "Seed the workspace with the demo data when it has none, and print a fresh admin token");
  cmd->add_option("--demo-leads", o->demo_leads, "Leads in a seeded demo workspace (default 2000)");
  cmd->add_flag("--no-background", o->no_background,
                "Do not run the clock's tick and webhook delivery (tests that drive them)");
  out.push_back({cmd, [o]() { return RunServe(*o); }});
}

}  // namespace leadq::cli
