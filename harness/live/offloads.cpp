#include "offloads.hpp"

#include "errors.hpp"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace closepath {
namespace {

// The features `ethtool -K tx off tso off gso off gro off` turns off, by the
// kernel's names for them. Matched by name, not by bit, so a feature a newer
// kernel adds to a group (tx-tcp-accecn-segmentation in 6.18) goes with it.
bool offload(std::string_view name) {
  return name.starts_with("tx-checksum-") || (name.starts_with("tx-tcp") && name.ends_with("-segmentation")) ||
         name == "tx-generic-segmentation" || name == "rx-gro";
}

// One SIOCETHTOOL call: `data` starts with its command word.
void ethtool(int socket, const std::string& dev, void* data, const char* what) {
  ifreq req{};
  dev.copy(req.ifr_name, IFNAMSIZ - 1);
  req.ifr_data = static_cast<char*>(data);
  if (ioctl(socket, SIOCETHTOOL, &req) < 0)
    throw HostError(std::string("ethtool: ") + what + " of " + dev + " in a test namespace: " + std::strerror(errno));
}

std::vector<std::string> feature_names(int socket, const std::string& dev) {
  // ethtool_sset_info ends in a flexible array: one count per set asked for.
  std::vector<__u32> info((sizeof(ethtool_sset_info) + sizeof(__u32)) / sizeof(__u32) + 1);
  auto* sset = reinterpret_cast<ethtool_sset_info*>(info.data());
  sset->cmd = ETHTOOL_GSSET_INFO;
  sset->sset_mask = 1ULL << ETH_SS_FEATURES;
  ethtool(socket, dev, sset, "reading the feature count");
  if (!(sset->sset_mask & (1ULL << ETH_SS_FEATURES))) return {};
  const __u32 count = sset->data[0];

  std::vector<char> buffer(sizeof(ethtool_gstrings) + std::size_t{count} * ETH_GSTRING_LEN);
  auto* strings = reinterpret_cast<ethtool_gstrings*>(buffer.data());
  strings->cmd = ETHTOOL_GSTRINGS;
  strings->string_set = ETH_SS_FEATURES;
  strings->len = count;
  ethtool(socket, dev, strings, "reading the feature names");
  std::vector<std::string> names;
  for (__u32 i = 0; i < strings->len; ++i) {
    const char* name = reinterpret_cast<const char*>(strings->data) + std::size_t{i} * ETH_GSTRING_LEN;
    names.emplace_back(name, strnlen(name, ETH_GSTRING_LEN));
  }
  return names;
}

// A GFEATURES or SFEATURES request: the command, then one block per 32 features.
template <class Request, class Block>
std::vector<char> features_request(__u32 command, std::size_t features) {
  const std::size_t blocks = (features + 31) / 32;
  std::vector<char> buffer(sizeof(Request) + blocks * sizeof(Block));
  auto* request = reinterpret_cast<Request*>(buffer.data());
  request->cmd = command;
  request->size = static_cast<__u32>(blocks);
  return buffer;
}

// Of `names` (the device's features, in the kernel's order), the offloads still active.
std::vector<std::string> active_among(int socket, const std::string& dev, const std::vector<std::string>& names) {
  auto buffer = features_request<ethtool_gfeatures, ethtool_get_features_block>(ETHTOOL_GFEATURES, names.size());
  auto* get = reinterpret_cast<ethtool_gfeatures*>(buffer.data());
  ethtool(socket, dev, get, "reading the features");
  std::vector<std::string> on;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (offload(names[i]) && (get->features[i / 32].active & (1U << (i % 32)))) on.push_back(names[i]);
  return on;
}

}  // namespace

void offloads_off(int socket, const std::string& dev) {
  const auto names = feature_names(socket, dev);
  auto buffer = features_request<ethtool_sfeatures, ethtool_set_features_block>(ETHTOOL_SFEATURES, names.size());
  auto* set = reinterpret_cast<ethtool_sfeatures*>(buffer.data());
  bool any = false;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (offload(names[i])) set->features[i / 32].valid |= 1U << (i % 32), any = true;  // requested: 0, off
  if (!any) throw HostError("ethtool: " + dev + " in a test namespace names none of its offload features");
  // A positive answer flags features the device cannot change: what stays on is checked below.
  ethtool(socket, dev, set, "turning offloads off");
  std::string left;
  for (const auto& name : active_among(socket, dev, names)) left += (left.empty() ? "" : ", ") + name;
  if (!left.empty())
    throw HostError("ethtool: " + dev + " in a test namespace keeps offloads on (" + left +
                    "): frames on the wire would not be the segments TCP sent");
}

std::vector<std::string> active_offloads(int socket, const std::string& dev) {
  return active_among(socket, dev, feature_names(socket, dev));
}

}  // namespace closepath
