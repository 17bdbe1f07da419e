#pragma once

#include <QColor>
#include <QIcon>

namespace Dcs::StatusIcons {

// The small status icons every table uses (transfer outcomes, onboarding checks, partner modes).
// Each pairs a shape with a colour, so that colour is never the only cue, and the colours are
// mid-tones that read on light and dark backgrounds alike.
enum class Tone { Good, Calm, Muted, Caution, Bad, Shadow };
enum class Glyph {
    CheckDisc,           // done and good
    CrossDisc,           // failed
    Ring,                // nothing to show (empty, not applicable)
    DashSquare,          // not done on purpose (not called)
    Clock,               // too slow
    LateClock,           // too slow, then answered
    ExclamationTriangle, // an error or a warning
    SlashedRing,         // off
    HalfDisc,            // watched, not acting (shadow)
    DotDisc,             // on (live)
};

QColor colour(Tone tone);
// Drawn once per shape and tone at 16, 22, 24 and 32 px, then cached (GUI thread only).
QIcon icon(Glyph glyph, Tone tone);

} // namespace Dcs::StatusIcons
