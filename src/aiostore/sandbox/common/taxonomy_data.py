"""The words the shared category tree is built from (`taxonomy`): English and Bahasa Indonesia side by side.

Twelve departments, five groups each, and per department five kinds that make a group's leaves ("Men" +
"Tops" -> "Men Tops" / "Atasan Pria"), the attributes each department's leaves draw from, and its brands.
"""

from __future__ import annotations

Words = tuple[str, str]  # (English, Bahasa Indonesia)

# department: (its name, its groups, the kinds that split a group into leaves)
DEPARTMENTS: tuple[tuple[Words, tuple[Words, ...], tuple[Words, ...]], ...] = (
    (
        ("Women Clothes", "Pakaian Wanita"),
        (
            ("Tops", "Atasan"),
            ("Dresses", "Dress"),
            ("Pants", "Celana"),
            ("Skirts", "Rok"),
            ("Outerwear", "Luaran"),
        ),
        (
            ("Casual", "Kasual"),
            ("Formal", "Formal"),
            ("Muslim", "Muslim"),
            ("Plus Size", "Ukuran Besar"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Men Clothes", "Pakaian Pria"),
        (
            ("Shirts", "Kemeja"),
            ("T-Shirts", "Kaos"),
            ("Trousers", "Celana Panjang"),
            ("Jackets", "Jaket"),
            ("Batik", "Batik"),
        ),
        (
            ("Casual", "Kasual"),
            ("Formal", "Formal"),
            ("Sport", "Olahraga"),
            ("Big Size", "Ukuran Besar"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Mobile & Gadgets", "Handphone & Aksesoris"),
        (
            ("Phones", "Handphone"),
            ("Tablets", "Tablet"),
            ("Cases", "Casing"),
            ("Chargers", "Charger"),
            ("Wearables", "Perangkat Wearable"),
        ),
        (
            ("Android", "Android"),
            ("iOS", "iOS"),
            ("Refurbished", "Rekondisi"),
            ("Kids", "Anak"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Computers", "Komputer & Laptop"),
        (
            ("Laptops", "Laptop"),
            ("Monitors", "Monitor"),
            ("Keyboards", "Keyboard"),
            ("Storage", "Penyimpanan"),
            ("Networking", "Jaringan"),
        ),
        (
            ("Gaming", "Gaming"),
            ("Office", "Kantor"),
            ("Portable", "Portabel"),
            ("Refurbished", "Rekondisi"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Home & Living", "Perlengkapan Rumah"),
        (
            ("Kitchenware", "Peralatan Dapur"),
            ("Bedding", "Perlengkapan Tidur"),
            ("Decor", "Dekorasi"),
            ("Storage Boxes", "Kotak Penyimpanan"),
            ("Cleaning", "Kebersihan"),
        ),
        (
            ("Bamboo", "Bambu"),
            ("Plastic", "Plastik"),
            ("Ceramic", "Keramik"),
            ("Steel", "Baja"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Health & Beauty", "Kesehatan & Kecantikan"),
        (
            ("Skincare", "Perawatan Kulit"),
            ("Makeup", "Makeup"),
            ("Hair Care", "Perawatan Rambut"),
            ("Fragrance", "Parfum"),
            ("Supplements", "Suplemen"),
        ),
        (("Women", "Wanita"), ("Men", "Pria"), ("Baby", "Bayi"), ("Halal", "Halal"), ("Other", "Lainnya")),
    ),
    (
        ("Food & Beverages", "Makanan & Minuman"),
        (
            ("Snacks", "Camilan"),
            ("Coffee", "Kopi"),
            ("Tea", "Teh"),
            ("Sauces", "Saus"),
            ("Instant Noodles", "Mi Instan"),
        ),
        (
            ("Local", "Lokal"),
            ("Imported", "Impor"),
            ("Organic", "Organik"),
            ("Halal", "Halal"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Sports & Outdoors", "Olahraga & Outdoor"),
        (
            ("Shoes", "Sepatu"),
            ("Fitness", "Kebugaran"),
            ("Cycling", "Sepeda"),
            ("Camping", "Kemah"),
            ("Swimming", "Renang"),
        ),
        (
            ("Men", "Pria"),
            ("Women", "Wanita"),
            ("Kids", "Anak"),
            ("Accessories", "Aksesoris"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Mother & Baby", "Ibu & Bayi"),
        (
            ("Diapers", "Popok"),
            ("Feeding", "Perlengkapan Makan"),
            ("Baby Clothes", "Pakaian Bayi"),
            ("Strollers", "Kereta Dorong"),
            ("Toys", "Mainan"),
        ),
        (
            ("Newborn", "Bayi Baru Lahir"),
            ("Toddler", "Balita"),
            ("Maternity", "Ibu Hamil"),
            ("Organic", "Organik"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Automotive", "Otomotif"),
        (
            ("Car Care", "Perawatan Mobil"),
            ("Motorcycle Parts", "Suku Cadang Motor"),
            ("Helmets", "Helm"),
            ("Car Electronics", "Elektronik Mobil"),
            ("Oils", "Oli"),
        ),
        (
            ("Car", "Mobil"),
            ("Motorcycle", "Motor"),
            ("Original", "Original"),
            ("Aftermarket", "Aftermarket"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Books & Stationery", "Buku & Alat Tulis"),
        (
            ("Books", "Buku"),
            ("Notebooks", "Buku Tulis"),
            ("Pens", "Pulpen"),
            ("Art Supplies", "Alat Lukis"),
            ("Office Supplies", "Perlengkapan Kantor"),
        ),
        (
            ("Kids", "Anak"),
            ("School", "Sekolah"),
            ("Office", "Kantor"),
            ("Imported", "Impor"),
            ("Other", "Lainnya"),
        ),
    ),
    (
        ("Bags & Accessories", "Tas & Aksesoris"),
        (
            ("Backpacks", "Ransel"),
            ("Tote Bags", "Tas Jinjing"),
            ("Wallets", "Dompet"),
            ("Watches", "Jam Tangan"),
            ("Hijabs", "Hijab"),
        ),
        (
            ("Women", "Wanita"),
            ("Men", "Pria"),
            ("Kids", "Anak"),
            ("Travel", "Perjalanan"),
            ("Other", "Lainnya"),
        ),
    ),
)

# key: (name, input type, allowed values, units)
ATTRIBUTES: dict[str, tuple[Words, str, tuple[Words, ...], tuple[str, ...]]] = {
    "material": (
        ("Material", "Bahan"),
        "single_select",
        (
            ("Cotton", "Katun"),
            ("Polyester", "Poliester"),
            ("Linen", "Linen"),
            ("Denim", "Denim"),
            ("Silk", "Sutra"),
            ("Leather", "Kulit"),
        ),
        (),
    ),
    "size": (
        ("Size", "Ukuran"),
        "multi_select",
        (("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL"), ("XXL", "XXL")),
        (),
    ),
    "pattern": (
        ("Pattern", "Motif"),
        "single_select",
        (("Plain", "Polos"), ("Striped", "Garis"), ("Floral", "Bunga"), ("Batik", "Batik")),
        (),
    ),
    "season": (
        ("Occasion", "Acara"),
        "multi_select",
        (("Daily", "Sehari-hari"), ("Party", "Pesta"), ("Office", "Kantor"), ("Eid", "Lebaran")),
        (),
    ),
    "warranty_type": (
        ("Warranty Type", "Jenis Garansi"),
        "single_select",
        (
            ("Official Warranty", "Garansi Resmi"),
            ("Distributor Warranty", "Garansi Distributor"),
            ("No Warranty", "Tanpa Garansi"),
        ),
        (),
    ),
    "warranty_duration": (("Warranty Duration", "Masa Garansi"), "numeric", (), ("month",)),
    "ram": (
        ("RAM", "RAM"),
        "single_select",
        (("4GB", "4GB"), ("8GB", "8GB"), ("16GB", "16GB"), ("32GB", "32GB")),
        (),
    ),
    "storage_capacity": (("Storage Capacity", "Kapasitas Penyimpanan"), "numeric", (), ("GB", "TB")),
    "model_name": (("Model", "Model"), "text", (), ()),
    "volume": (("Volume", "Volume"), "numeric", (), ("ml", "L")),
    "net_weight": (("Net Weight", "Berat Bersih"), "numeric", (), ("g", "kg")),
    "expiry_date": (("Expiry Date", "Tanggal Kedaluwarsa"), "date", (), ()),
    "bpom": (("BPOM Registration No.", "No. Registrasi BPOM"), "text", (), ()),
    "skin_type": (
        ("Skin Type", "Jenis Kulit"),
        "multi_select",
        (("Normal", "Normal"), ("Oily", "Berminyak"), ("Dry", "Kering"), ("Sensitive", "Sensitif")),
        (),
    ),
    "halal": (
        ("Halal Certified", "Bersertifikat Halal"),
        "single_select",
        (("Yes", "Ya"), ("No", "Tidak")),
        (),
    ),
    "age_group": (
        ("Age Group", "Kelompok Usia"),
        "single_select",
        (
            ("0-6 Months", "0-6 Bulan"),
            ("6-12 Months", "6-12 Bulan"),
            ("1-3 Years", "1-3 Tahun"),
            ("3+ Years", "3+ Tahun"),
        ),
        (),
    ),
    "vehicle_type": (
        ("Vehicle Type", "Jenis Kendaraan"),
        "single_select",
        (("Car", "Mobil"), ("Motorcycle", "Motor")),
        (),
    ),
    "dimension": (("Dimension", "Dimensi"), "numeric", (), ("cm", "m")),
    "colour": (
        ("Colour", "Warna"),
        "multi_select",
        (("Black", "Hitam"), ("White", "Putih"), ("Red", "Merah"), ("Blue", "Biru"), ("Green", "Hijau")),
        (),
    ),
    "author": (("Author", "Penulis"), "text", (), ()),
    "language": (
        ("Language", "Bahasa"),
        "single_select",
        (("English", "Inggris"), ("Indonesian", "Indonesia"), ("Malay", "Melayu")),
        (),
    ),
}

# Per department: its attributes (the first is the one made mandatory) and its brands.
DEPARTMENT_ATTRIBUTES: tuple[tuple[str, ...], ...] = (
    ("material", "size", "pattern", "season", "colour"),
    ("material", "size", "pattern", "colour"),
    ("warranty_type", "ram", "storage_capacity", "model_name", "colour"),
    ("warranty_type", "ram", "storage_capacity", "model_name", "warranty_duration"),
    ("material", "dimension", "colour", "volume"),
    ("bpom", "skin_type", "volume", "expiry_date", "halal"),
    ("halal", "net_weight", "expiry_date", "bpom"),
    ("size", "material", "colour", "dimension"),
    ("age_group", "material", "net_weight", "halal"),
    ("vehicle_type", "warranty_type", "model_name", "volume"),
    ("author", "language", "dimension", "colour"),
    ("material", "colour", "dimension", "pattern"),
)
BRANDS: tuple[tuple[str, ...], ...] = (
    ("Zalora Basics", "Cotton Ink", "Heaven Lights", "Minimal", "Uniqlo", "Executive"),
    ("Erigo", "Roughneck", "Uniqlo", "Batik Keris", "Hammer", "Giordano"),
    ("Samsung", "Xiaomi", "Apple", "OPPO", "vivo", "realme", "Infinix", "Baseus", "Anker"),
    ("Lenovo", "ASUS", "Acer", "HP", "Dell", "Logitech", "Seagate", "TP-Link"),
    ("IKEA", "Lock&Lock", "Tupperware", "Maspion", "Informa", "Krisbow"),
    ("Wardah", "Somethinc", "Emina", "Make Over", "Scarlett", "Garnier", "Maybelline", "Blackmores"),
    ("Indomie", "Kapal Api", "Sariwangi", "ABC", "Chitato", "Milo", "Nescafe"),
    ("Nike", "Adidas", "Specs", "Ortuseight", "Polygon", "Decathlon"),
    ("MamyPoko", "Pigeon", "Sweety", "Chicco", "Pampers", "Huggies"),
    ("Shell", "Castrol", "KYT", "INK", "Federal", "3M", "Turtle Wax"),
    ("Gramedia", "Joyko", "Kenko", "Faber-Castell", "Snowman", "Sidu"),
    ("Eiger", "Exsport", "Bodypack", "Casio", "Fossil", "Buttonscarves", "Elzatta"),
)
