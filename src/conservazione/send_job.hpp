#pragma once
// The job kind "conservazione.send" (docs/jobs.md): every 15 minutes, latest period only (each run makes
// every missing package and sends every due one, so a missed period loses nothing: after a downtime the
// first run sends everything that piled up). Daily registers are made at 00:05 Rome time, so each is
// sent in the first quarter hour of the next day, well before the next working day's end; a package the
// conservator refused or did not take is sent again by a later run, after its own backoff
// (ConservazioneService::backoff). Registered only when a conservator is configured (conservazione_url).
#include "conservazione/service.hpp"
#include "jobs/runner.hpp"

namespace sp::conservazione {

inline constexpr const char* kSendKind = "conservazione.send";

void register_send_job(jobs::Runner& runner, ConservazioneService& service);

}  // namespace sp::conservazione
