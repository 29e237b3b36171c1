use leptos::prelude::*;

use crate::i18n::Messages;

/// Mali's outline, simplified from its borders in an equirectangular projection (ten units a
/// degree), with Bamako and Sanankoroba.
const MALI: &str = "M76.7 2 60.5 2.4 65.3 45.6 70.1 88.7 71.8 90 69.6 97 29.5 97.1 28 99.4 24.1 98.7 18.5 100.7 11.5 97.9 8.3 98.1 6.7 104 3.3 105.8 3.8 112.1 6.7 118.9 8.4 118.2 11.3 122 10.3 124.5 9.9 127.6 10.4 131.2 14.6 129.9 16.3 130.2 19 132.8 26 131.4 31.7 128.7 36 131.1 41 138 39 144 44.7 149.9 48.8 150.5 56.5 150.6 63 146.8 66.8 149.8 71 148.3 70.3 142.5 73 138.3 72.8 134.9 80.7 126.6 82.5 119.7 90.5 119.3 95.3 116 105 106.4 114.3 102.3 120.3 101.2 128.7 102.7 138 99.2 155 98.5 162.2 95.5 167.7 83.5 167.7 60.5 156.5 61.4 157.3 53.8 138 45 136.7 41Z";

/// A small location map. Bamako and Sanankoroba are about thirty kilometres apart, too close
/// to tell apart at the scale of the country, so an enlarged inset shows them side by side.
pub fn location_map(t: &'static Messages) -> impl IntoView {
    view! { class="sk",
        // The inset leaves room for the labels in wide fonts, such as the DejaVu Sans that
        // many Linux systems use for `system-ui`.
        <svg class="sk-map" viewBox="0 0 220 170" role="img" aria-label=t.map_label focusable="false">
            <path class="sk-map-land" d=MALI />
            <text class="sk-map-country" x="100" y="62">{t.map_mali}</text>
            <circle class="sk-map-focus" cx="45.3" cy="126.7" r="5" />
            <path class="sk-map-leader" d="M50 128 116 140" />
            <rect class="sk-map-inset" x="116" y="114" width="100" height="52" rx="3" />
            <circle class="sk-map-city" cx="128" cy="128" r="2.5" />
            <text class="sk-map-label" x="134" y="131.5">{t.map_bamako}</text>
            <circle class="sk-map-place" cx="130" cy="152" r="3.5" />
            <text class="sk-map-label sk-map-label-strong" x="137" y="155.5">{t.map_sanankoroba}</text>
        </svg>
    }
}
