// The files a run writes into its own directory for its programs, before the
// first step: the TLS credentials that {ca}, {cert} and {key} name, and the
// files `programs: {SIDE: {render: [...]}}` lists, their placeholders filled
// in. Never through a shell; a program run as `user:` can read them.
#pragma once

#include "placeholders.hpp"
#include "program_user.hpp"
#include "scenario.hpp"
#include "tls_credentials.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace closepath {

// Writes `text` to `path` (replacing it) with `mode`, owned by `owner` when
// there is one. Throws HostError naming the path.
void write_run_file(const std::filesystem::path& path, const std::string& text, mode_t mode,
                    const std::optional<ProgramUser>& owner);

// kCaFile, kCertFile, kKeyFile (0600) in `dir`, the program user's.
void write_credentials(const TlsCredentials& creds, const std::filesystem::path& dir, const std::optional<ProgramUser>& owner);

// Every side's rendered files, into v.out_dir.
void render_files(const Scenario& s, const PlaceholderValues& v, const std::optional<ProgramUser>& owner);

}  // namespace closepath
