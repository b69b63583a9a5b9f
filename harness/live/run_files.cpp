#include "run_files.hpp"

#include "errors.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace closepath {

void write_run_file(const std::filesystem::path& path, const std::string& text, mode_t mode,
                    const std::optional<ProgramUser>& owner) {
  auto failed = [&](const char* call) {
    return HostError("cannot write " + path.string() + ": " + call + ": " + std::strerror(errno));
  };
  const UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) throw failed("open");
  if (fchmod(fd.get(), mode) != 0) throw failed("fchmod");  // an older file of that name kept its mode
  if (owner && fchown(fd.get(), owner->uid, owner->gid) != 0) throw failed("fchown");
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failed("write");
    done += static_cast<std::size_t>(n);
  }
}

void write_credentials(const TlsCredentials& creds, const std::filesystem::path& dir, const std::optional<ProgramUser>& owner) {
  write_run_file(dir / kCaFile, creds.ca_pem, 0644, owner);
  write_run_file(dir / kCertFile, creds.server_cert_pem, 0644, owner);
  write_run_file(dir / kKeyFile, creds.server_key_pem, 0600, owner);
}

void render_files(const Scenario& s, const PlaceholderValues& v, const std::optional<ProgramUser>& owner) {
  for (const auto& [side, world] : s.program_worlds)
    for (const auto& f : world.render) write_run_file(std::filesystem::path(v.out_dir) / f.name, substitute(f.text, v), 0644, owner);
}

}  // namespace closepath
