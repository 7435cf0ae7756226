"""The train as the physics kernel sees it: SI numbers only, for one load."""

from __future__ import annotations

from dataclasses import dataclass

from lrtsim.model.schema import RollingStock
from lrtsim.model.units import G_MPS2, kmh_to_mps, mps_to_kmh


@dataclass(frozen=True)
class TrainParams:
    """Forces and masses of one train at one load, in SI units."""

    length_m: float
    mass_kg: float
    """Static mass (weight / g): gradient and curve forces act on it."""
    inertial_mass_kg: float
    """Mass for inertia: tare x rotating-mass factor + passengers."""
    max_speed_mps: float
    max_effort_n: float
    max_power_w: float
    max_accel_mps2: float
    brake_mps2: float
    davis_a_n: float
    davis_b_n_per_kmh: float
    davis_c_n_per_kmh2: float
    traction_efficiency: float
    regen_efficiency: float
    aux_power_w: float

    @property
    def weight_n(self) -> float:
        """Weight m·g, the base of gradient and curve forces."""
        return self.mass_kg * G_MPS2

    def resistance_n(self, speed_mps: float) -> float:
        """Davis running resistance A + B·v + C·v² with v in km/h (Davis 1926)."""
        v_kmh = mps_to_kmh(speed_mps)
        return self.davis_a_n + self.davis_b_n_per_kmh * v_kmh + self.davis_c_n_per_kmh2 * v_kmh**2


def train_params(stock: RollingStock, load: float) -> TrainParams:
    """Kernel parameters for a train carrying `load` (fraction of planning capacity, 0..1+)."""
    cap = stock.max_accel_mps2 if stock.max_accel_mps2 is not None else 1e9
    return TrainParams(
        length_m=stock.length_m,
        mass_kg=stock.mass_kg(load),
        inertial_mass_kg=stock.inertial_mass_kg(load),
        max_speed_mps=kmh_to_mps(stock.max_speed_kmh),
        max_effort_n=stock.max_tractive_effort_kn * 1000.0,
        max_power_w=stock.max_power_kw * 1000.0,
        max_accel_mps2=cap,
        brake_mps2=stock.service_brake_mps2,
        davis_a_n=stock.davis_a_kn * 1000.0,
        davis_b_n_per_kmh=stock.davis_b_kn_per_kmh * 1000.0,
        davis_c_n_per_kmh2=stock.davis_c_kn_per_kmh2 * 1000.0,
        traction_efficiency=stock.traction_efficiency,
        regen_efficiency=stock.regen_efficiency,
        aux_power_w=stock.aux_power_kw * 1000.0,
    )
