#pragma once

namespace Dcs {

class RequestRouter;

// The browser side of steps 1-2 of the flow (dcs-api.md, "Endpoints"), compiled in as Qt
// resources under :/web and served by the DCS itself:
//   GET/HEAD /tag.js     the tag a customer page embeds (short max-age: pages load it often)
//   GET/HEAD /dest.html  the iframe page that calls /event from the DCS origin (no-store)
//   GET/HEAD /demo       a demo customer page that uses both (no-cache)
// Every answer carries X-Content-Type-Options: nosniff.
//
// The tag: a customer page includes <script src="http://DCS/tag.js" async></script>, with its
// page data in window.dcsData = {section: "sports", ...} set before the tag and/or in data-c-*
// attributes of that script element (an attribute replaces the dcsData key it maps to). Each key
// becomes a c_ signal: c_ is prefixed unless present and characters outside the spec's key rule
// (A-Z a-z 0-9 - _) become _; values are sent as strings, arrays as repeated values, null and
// undefined not at all. The tag adds a hidden iframe
//   <DCS origin>/dest.html#c_section=sports&...&origin=<page origin>
// and takes one message: from that iframe, from the DCS origin (the origin of the tag's own src),
// with a 38-digit uuid and a string tid. It becomes window.dcsAnswer and the detail of a
// "dcs:answer" CustomEvent dispatched on document.
//
// The iframe page forwards the fragment's c_ keys to
// /event?d_rtbd=json&d_cts=1&d_dst=1&<c_ params> (same origin, credentials included: the demdex
// cookie flows) and posts the JSON answer to parent with the page origin as the target origin,
// never '*'. When document.referrer is present its origin must equal the claimed page origin,
// else no call is made; without a referrer the answer still goes only to the claimed origin.
namespace TagAssets {

void addRoutes(RequestRouter &router);

} // namespace TagAssets
} // namespace Dcs
