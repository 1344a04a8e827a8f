package seed

import (
	"carrierdesk/ent/activity"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
)

// namedCarrier is one of the hand-written demo carriers. OCNs and CCNAs are
// made up for the demo; they only have to look right and be unique.
type namedCarrier struct {
	name, slug, ocn, ccna string
	tier                  carrier.Tier
	status                carrier.Status
}

// namedCarriers are created at every scale, in this order; the first one is
// the marker that tells Run the database is already seeded.
var namedCarriers = []namedCarrier{
	{"Lumen Wholesale", "lumen", "9636", "LMN", carrier.TierTier1, carrier.StatusActive},
	{"Zayo", "zayo", "8823", "ZYO", carrier.TierTier1, carrier.StatusActive},
	{"Cogent Communications", "cogent", "7271", "CGT", carrier.TierTier1, carrier.StatusActive},
	{"AT&T Wholesale", "att", "9206", "ATW", carrier.TierTier1, carrier.StatusActive},
	{"Verizon Partner Solutions", "verizon", "9208", "VZP", carrier.TierTier1, carrier.StatusActive},
	{"T-Mobile Wholesale", "tmobile", "6529", "TMW", carrier.TierTier1, carrier.StatusActive},
	{"GTT Communications", "gtt", "3594", "GTT", carrier.TierTier1, carrier.StatusActive},
	{"Arelion", "arelion", "4T2K", "ARL", carrier.TierTier1, carrier.StatusActive},
	{"NTT America", "ntt", "5N1A", "NTA", carrier.TierTier1, carrier.StatusActive},
	{"Crown Castle Fiber", "crowncastle", "8094", "CCF", carrier.TierTier2, carrier.StatusActive},
	{"Windstream Wholesale", "windstream", "7345", "WSW", carrier.TierTier2, carrier.StatusActive},
	{"Frontier Wholesale", "frontier", "0433", "FTW", carrier.TierTier2, carrier.StatusActive},
	{"Uniti Fiber", "uniti", "4W9B", "UNF", carrier.TierTier2, carrier.StatusActive},
	{"FirstLight Fiber", "firstlight", "2F7L", "FLF", carrier.TierTier2, carrier.StatusActive},
	{"Segra", "segra", "6S3G", "SGR", carrier.TierTier2, carrier.StatusActive},
	{"Everstream", "everstream", "1E5V", "EVS", carrier.TierTier2, carrier.StatusActive},
	{"Lightpath", "lightpath", "3L8P", "LPT", carrier.TierTier2, carrier.StatusActive},
	{"Consolidated Communications", "consolidated", "2311", "CNS", carrier.TierTier2, carrier.StatusActive},
	{"Brightspeed", "brightspeed", "9B4S", "BSP", carrier.TierTier2, carrier.StatusActive},
	{"Ziply Fiber", "ziply", "8Z2F", "ZPF", carrier.TierTier2, carrier.StatusActive},
	{"Hunter Communications", "hunter", "5H6C", "HNC", carrier.TierTier2, carrier.StatusActive},
	{"Bandwidth Inc.", "bandwidth", "981E", "BWI", carrier.TierTier2, carrier.StatusActive},
	{"Conterra Networks", "conterra", "4C3N", "CTN", carrier.TierTier2, carrier.StatusActive},
	{"Fatbeam", "fatbeam", "7F1B", "FTB", carrier.TierTier2, carrier.StatusActive},
	{"Great Plains Communications", "greatplains", "1573", "GPC", carrier.TierTier3, carrier.StatusActive},
	{"Bluepeak", "bluepeak", "6B2P", "BPK", carrier.TierTier3, carrier.StatusActive},
	{"Shentel Wholesale", "shentel", "0237", "SHN", carrier.TierTier3, carrier.StatusActive},
	{"LS Networks", "lsnetworks", "3L2S", "LSN", carrier.TierTier3, carrier.StatusActive},
	{"Syringa Networks", "syringa", "7S5Y", "SYN", carrier.TierTier3, carrier.StatusActive},
	{"Vexus Fiber", "vexus", "2V8X", "VXF", carrier.TierTier3, carrier.StatusActive},
	{"Arcadian Infracom", "arcadian", "9A3I", "ARC", carrier.TierTier3, carrier.StatusActive},
	{"Ritter Communications", "ritter", "4R7T", "RTR", carrier.TierTier3, carrier.StatusActive},
	{"Pioneer Telephone Cooperative", "pioneer", "1842", "PTC", carrier.TierTier3, carrier.StatusInactive},
	{"MetroNet Wholesale", "metronet", "6M4N", "MNW", carrier.TierTier3, carrier.StatusActive},
	{"Point Broadband", "pointbroadband", "8P1B", "PBB", carrier.TierTier3, carrier.StatusActive},
	{"Wabash Valley Telecom", "wabash", "5W2V", "WVT", carrier.TierTier3, carrier.StatusInactive},
	{"Bell Wholesale Canada", "bellcanada", "5B1C", "BWC", carrier.TierTier2, carrier.StatusActive},
	{"TELUS Wholesale", "telus", "6T1L", "TLW", carrier.TierTier2, carrier.StatusActive},
	{"Cogeco Wholesale", "cogeco", "3C9G", "CGW", carrier.TierTier3, carrier.StatusActive},
}

// carrierCurrencies are the named carriers that are billed in another
// currency than USD, by slug: Canadian carriers buying US transport, billed
// in Canadian dollars. Their accounts, quotes and contracts are all in it,
// so the book has a second currency that no report may add to the first.
var carrierCurrencies = map[string]string{"bellcanada": "CAD", "telus": "CAD", "cogeco": "CAD"}

// Parts of the names of the regional carriers added at scales above 1.
var (
	carrierPlaces = []string{
		"Blue Ridge", "Prairie", "Cascade", "Gulf Coast", "Ozark", "Great Lakes", "Lone Star", "Piedmont",
		"Tidewater", "Sierra", "Big Sky", "Heartland", "Appalachian", "Chesapeake", "Red River", "Mesa",
		"Palmetto", "Bluegrass", "Keystone", "Evergreen", "Granite State", "Sawtooth", "Mohawk Valley",
		"Coastal Plains", "High Desert", "Delta", "Hill Country", "North Woods", "Three Rivers", "Sunbelt",
		"Cumberland", "Flint Hills", "Badlands", "Magnolia", "Shoreline", "Canyon", "Pinnacle", "Tri-County",
		"Riverbend", "Summit",
	}
	carrierKinds = []string{
		"Fiber", "Telecom", "Networks", "Communications", "Broadband", "Connect", "Telephone Cooperative",
		"Wholesale", "Transport",
	}
)

// market is a metro area we sell in, with the first six characters of its CLLI
// codes, a well-known meet-me site, and a phone area code.
type market struct {
	name, city, state, clli, site, area string
	region                              enum.Region
}

var markets = []market{
	{"New York City", "New York", "NY", "NYCMNY", "60 Hudson St", "212", enum.RegionNortheast},
	{"Boston", "Boston", "MA", "BSTNMA", "1 Summer St", "617", enum.RegionNortheast},
	{"Philadelphia", "Philadelphia", "PA", "PHLAPA", "401 N Broad St", "215", enum.RegionNortheast},
	{"Albany", "Albany", "NY", "ALBYNY", "158 State St", "518", enum.RegionNortheast},
	{"Hartford", "Hartford", "CT", "HRFRCT", "55 Trumbull St", "860", enum.RegionNortheast},
	{"Pittsburgh", "Pittsburgh", "PA", "PITBPA", "1 Oxford Centre", "412", enum.RegionNortheast},
	{"Atlanta", "Atlanta", "GA", "ATLNGA", "56 Marietta St NW", "404", enum.RegionSoutheast},
	{"Charlotte", "Charlotte", "NC", "CHRLNC", "1612 Cross Beam Dr", "704", enum.RegionSoutheast},
	{"Miami", "Miami", "FL", "MIAMFL", "50 NE 9th St", "305", enum.RegionSoutheast},
	{"Tampa", "Tampa", "FL", "TAMPFL", "655 N Franklin St", "813", enum.RegionSoutheast},
	{"Raleigh-Durham", "Raleigh", "NC", "RLGHNC", "5301 Departure Dr", "919", enum.RegionSoutheast},
	{"Nashville", "Nashville", "TN", "NSVLTN", "147 4th Ave N", "615", enum.RegionSoutheast},
	{"Chicago", "Chicago", "IL", "CHCGIL", "350 E Cermak Rd", "312", enum.RegionMidwest},
	{"Columbus", "Columbus", "OH", "CLMBOH", "555 Scherers Ct", "614", enum.RegionMidwest},
	{"Detroit", "Southfield", "MI", "DTRTMI", "19675 W Ten Mile Rd", "313", enum.RegionMidwest},
	{"Minneapolis-St. Paul", "Minneapolis", "MN", "MPLSMN", "511 11th Ave S", "612", enum.RegionMidwest},
	{"Kansas City", "Kansas City", "MO", "KSCYMO", "1102 Grand Blvd", "816", enum.RegionMidwest},
	{"St. Louis", "St. Louis", "MO", "STLSMO", "900 Walnut St", "314", enum.RegionMidwest},
	{"Dallas-Fort Worth", "Dallas", "TX", "DLLSTX", "2323 Bryan St", "214", enum.RegionSouthCentral},
	{"Houston", "Houston", "TX", "HSTNTX", "1301 Fannin St", "713", enum.RegionSouthCentral},
	{"Austin", "Austin", "TX", "AUSTTX", "7401 E Ben White Blvd", "512", enum.RegionSouthCentral},
	{"San Antonio", "San Antonio", "TX", "SNANTX", "100 Taylor St", "210", enum.RegionSouthCentral},
	{"Oklahoma City", "Oklahoma City", "OK", "OKCYOK", "7725 W Reno Ave", "405", enum.RegionSouthCentral},
	{"New Orleans", "New Orleans", "LA", "NWORLA", "1250 Poydras St", "504", enum.RegionSouthCentral},
	{"Los Angeles", "Los Angeles", "CA", "LSANCA", "1 Wilshire Blvd", "213", enum.RegionWest},
	{"San Diego", "San Diego", "CA", "SNDGCA", "9725 Scranton Rd", "619", enum.RegionWest},
	{"Denver", "Denver", "CO", "DNVRCO", "910 15th St", "303", enum.RegionWest},
	{"Phoenix", "Phoenix", "AZ", "PHNXAZ", "120 E Van Buren St", "602", enum.RegionWest},
	{"Seattle", "Seattle", "WA", "STTLWA", "2001 6th Ave", "206", enum.RegionWest},
	{"Las Vegas", "Las Vegas", "NV", "LSVGNV", "7135 S Decatur Blvd", "702", enum.RegionWest},
}

// regions lists the regions in a fixed order; ranging over a map would not be deterministic.
var regions = []enum.Region{
	enum.RegionNortheast, enum.RegionSoutheast, enum.RegionMidwest, enum.RegionSouthCentral, enum.RegionWest,
}

// teamRegions are the regions of the four teams created per unit of scale, the
// demo manager's team first. Midwest has no team of its own and borrows.
var teamRegions = []enum.Region{
	enum.RegionSouthCentral, enum.RegionNortheast, enum.RegionSoutheast, enum.RegionWest,
}

// borrowedRegions says which teams work the accounts of a region without a team.
var borrowedRegions = map[enum.Region][]enum.Region{
	enum.RegionMidwest: {enum.RegionNortheast, enum.RegionSouthCentral},
}

var (
	firstNames = []string{
		"Aaron", "Adriana", "Alex", "Amara", "Andre", "Ben", "Bianca", "Caleb", "Carmen", "Chris",
		"Daniela", "Darius", "Elena", "Eli", "Fatima", "Gabe", "Hector", "Imani", "Isaac", "Jada",
		"Jamal", "Jenna", "Kai", "Kendra", "Lena", "Malik", "Maya", "Nate", "Nina", "Omar",
		"Paige", "Quinn", "Rafael", "Rosa", "Sam", "Sofia", "Tariq", "Tessa", "Victor", "Wen",
		"Xavier", "Yara", "Zoe", "Derek", "Lauren", "Mei", "Owen", "Renee", "Trent", "Vanessa",
	}
	lastNames = []string{
		"Abbott", "Alvarez", "Brooks", "Castillo", "Chen", "Dawson", "Diaz", "Ellison", "Fischer", "Flores",
		"Garner", "Gupta", "Hale", "Holloway", "Ibarra", "Jensen", "Kaur", "Keller", "Larson", "Lindqvist",
		"Mahoney", "Martinez", "Nakamura", "Nguyen", "Okafor", "Ortiz", "Patel", "Pierce", "Quintero", "Ramsey",
		"Reyes", "Sandoval", "Schmidt", "Shah", "Sullivan", "Tanaka", "Thornton", "Underwood", "Vance", "Vasquez",
		"Walsh", "Whitaker", "Xu", "Yamamoto", "Young", "Zimmerman", "Baptiste", "Coleman", "Dunn", "Ferreira",
	}
	streets = []string{
		"Commerce St", "Industrial Blvd", "Market St", "Technology Dr", "Airport Rd", "Lakeview Pkwy",
		"Central Expy", "Riverside Dr", "Corporate Dr", "Research Blvd", "Enterprise Way", "Harbor Rd",
		"Main St", "Oak Ave", "Park Ave", "Ridge Rd", "2nd Ave", "5th St",
	}
	clliBuildings = []string{"01", "02", "11", "CO", "TA", "XA", "GW", "DC", "MC"}
	clliEntities  = []string{"DS0", "DS1", "K01", "H00", "W01", "MD0", "GT0", "KD1"}
	competitors   = []string{"Crown Castle", "Zayo", "Lumen", "Cogent", "a regional cable MSO", "an electric co-op fiber affiliate"}
)

// product prices: the rate card in whole dollars per unit and month, by bandwidth.
type rate struct {
	bandwidth string
	mrc       money.Amount
}

// rateCard is the standard monthly price of each product and bandwidth. Seeded
// quotes land within a band around it, as real deals do.
var rateCard = map[quotelineitem.Product][]rate{
	quotelineitem.ProductInternetAccess: {{"100 Mbps", 450_00}, {"1 Gbps", 900_00}, {"10 Gbps", 2_800_00}, {"100 Gbps", 9_500_00}},
	quotelineitem.ProductEthernet:       {{"100 Mbps", 350_00}, {"1 Gbps", 650_00}, {"10 Gbps", 1_900_00}},
	quotelineitem.ProductWavelength:     {{"10 Gbps", 2_200_00}, {"100 Gbps", 6_500_00}, {"400 Gbps", 14_000_00}},
	quotelineitem.ProductDarkFiber:      {{"", 3_500_00}},
	quotelineitem.ProductVoice:          {{"", 18_00}},
	quotelineitem.ProductVideo:          {{"1 Gbps", 1_200_00}, {"10 Gbps", 3_800_00}},
}

// productLabels name products in titles.
var productLabels = map[quotelineitem.Product]string{
	quotelineitem.ProductInternetAccess: "Dedicated Internet Access",
	quotelineitem.ProductEthernet:       "Ethernet",
	quotelineitem.ProductWavelength:     "Wavelength",
	quotelineitem.ProductDarkFiber:      "Dark Fiber",
	quotelineitem.ProductVoice:          "SIP Trunking",
	quotelineitem.ProductVideo:          "Video Transport",
}

// accountPurposes describe what an account is for, in its name.
var accountPurposes = []string{
	"Backhaul", "Metro Ethernet", "Transport", "Tower Backhaul", "Long Haul Waves", "Voice Interconnect",
	"DIA Resale", "Data Center Interconnect", "Video Transport", "Number Portability", "NNI",
}

// circuitServiceCodes are Telcordia-style service codes seen in circuit IDs.
var circuitServiceCodes = []string{"KXFU", "KXGS", "KQGN", "HCGS", "L1XX", "VLXP", "BFXX", "IPZZ", "OWXN"}

// rfpTitles are what carriers ask for; %s is a market.
var rfpTitles = []string{
	"Regional tower backhaul RFP – %s",
	"Long-haul 100G wave RFP from %s",
	"Dark fiber IRU RFP – %s metro ring",
	"Wholesale DIA aggregation RFP – %s",
	"SIP trunking and LNP RFP – %s",
	"Data center interconnect RFP – %s",
	"E-Access NNI RFP – %s footprint",
}

// sparcJustifications argue for a price below the rate card; %s is a competitor.
var sparcJustifications = []string{
	"Competing offer from %s at a lower MRC for the same route; carrier shared the quote.",
	"Volume commitment: carrier will add 12 tower sites over 18 months if the first 4 land at this price. %s is also bidding.",
	"Renewal at risk: carrier named price as the main issue at the last QBR and is talking to %s.",
	"Strategic route: fills a gap on our long-haul map; %s cannot serve the Z end on-net.",
	"Bulk deal across three markets; the blended price still clears the IRR hurdle against %s.",
}

// activitySummaries describe what happened, by kind of activity.
var activitySummaries = map[activity.Kind][]string{
	activity.KindMeeting: {
		"Quarterly planning with the carrier's network team; reviewed open quotes and upcoming renewals.",
		"Met the carrier's VP Engineering about 2026 capacity needs; they expect 40% growth on the long-haul routes.",
		"Face-to-face on the billing dispute backlog; agreed a weekly call until it is cleared.",
	},
	activity.KindCall: {
		"Called the NOC about repeated packet loss; opened a ticket with field operations.",
		"Walked the carrier through the new rate card and the SPARC process.",
		"Chased the signed service order; procurement says end of the week.",
		"Port-out issue call with the carrier's LNP desk; CSR mismatch fixed.",
	},
	activity.KindEmail: {
		"Sent the revised quote with 36- and 60-month options.",
		"Sent FOC dates for the open ASRs and the list of missing CFA assignments.",
		"Shared the QBR deck and the draft agenda.",
		"Confirmed the credit for last month's SEV1 outage will appear on the next invoice.",
	},
	activity.KindSiteVisit: {
		"Walked the meet-me room with the carrier's engineers; cross-connects ready for the NNI turn-up.",
		"Site survey at the new tower location; power and conduit confirmed.",
		"Visited the carrier's switch site to review diversity of the two entrances.",
	},
	activity.KindNote: {
		"Carrier reorganised; new procurement lead starting next month.",
		"Renewal risk: competitor pricing came up twice this quarter.",
		"Carrier prefers e-mail for FOCs; phone only for SEV1 and SEV2.",
		"Upsell opportunity: 10G to 100G upgrades on the three busiest routes.",
	},
}

// escalationTopics give titles and descriptions per category; %s is a detail
// of the account such as a market, a BAN or a PON.
var escalationTopics = map[escalation.Category][][2]string{
	escalation.CategoryServiceAssurance: {
		{"Circuit down in %s", "Total loss of service on the carrier's NNI; their customers are down."},
		{"Packet loss on 10G wave in %s", "Loss above 5% for more than five minutes, recurring every few hours."},
		{"Latency over 100 ms on EVPL in %s", "Latency doubled since the maintenance window; carrier suspects a reroute."},
		{"Intermittent CRC errors on NNI in %s", "Errors on the handoff; carrier has swapped optics on their side."},
	},
	escalation.CategoryBilling: {
		{"Duplicate MRC on BAN %s", "The same circuit appears twice on the last two invoices."},
		{"Outage credit not applied on BAN %s", "The credit agreed for last month's outage is missing."},
		{"Late fee charged in error on BAN %s", "Payment was made on time by wire; fee should be reversed."},
		{"Wrong rate on BAN %s", "Invoice bills the rate card, not the contracted special price."},
	},
	escalation.CategoryOrder: {
		{"FOC missed on PON %s", "No firm order confirmation five business days after submission."},
		{"Due date slipped on PON %s", "Confirmed due date moved twice; carrier's customer has a cut-over booked."},
		{"Clarification unanswered on PON %s", "Order in clarification for a week with no reply to the carrier's answers."},
	},
	escalation.CategoryPortability: {
		{"Port rejected on PON %s", "LSR rejected for CSR mismatch; carrier says the CSR is correct."},
		{"Numbers not ported on FOC date for PON %s", "Port did not complete on the confirmed date; customer has no inbound calls."},
		{"Partial port on PON %s", "Twelve numbers are still with the losing carrier."},
	},
	escalation.CategoryContract: {
		{"Auto-renewal applied despite notice in %s", "Carrier sent notice 90 days before the end date but the contract renewed."},
		{"Co-term date wrong on service order in %s", "Service order ends a year after its master agreement."},
		{"Rates differ from the MSA in %s", "Service order prices do not match the master agreement's schedule."},
	},
	escalation.CategoryOther: {
		{"Portal access for new NOC staff in %s", "Three new NOC engineers need logins."},
		{"Diversity documentation for %s routes", "Carrier's customer asks for route maps proving path diversity."},
		{"Escalation contact list update for %s", "Carrier changed its escalation matrix; please update ours."},
	},
}

// escalationComments are timeline comments: from reps (internal or not) and from the carrier.
var (
	internalComments = []string{
		"Field ops dispatched; ETA two hours.",
		"Looped in billing; credit memo drafted, waiting for finance approval.",
		"Provisioning says the delay is on the LEC side; pushing for a date.",
		"Carrier is sensitive on this one: renewal is in 90 days.",
		"Checked the CSR ourselves; the carrier is right, our record was stale.",
	}
	repComments = []string{
		"We have identified the cause and are working on a fix. Next update within the hour.",
		"Credit has been approved and will appear on your next invoice.",
		"A technician is on site. We will confirm once the circuit is clean.",
		"We have resubmitted the order; you should receive the FOC shortly.",
		"Could you confirm a test window with your NOC?",
	}
	carrierComments = []string{
		"Our customer is escalating on their side; please share an ETA.",
		"Test window confirmed for tonight 00:00–04:00 local.",
		"Still seeing errors after the fix; attaching a new capture.",
		"Thanks, confirmed clean from our side.",
		"Please send the RFO when you have it.",
	}
)
