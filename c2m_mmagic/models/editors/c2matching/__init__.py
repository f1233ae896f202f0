from .c2matching import C2Matching
from .c2matching_disc import C2MatchingDiscriminator
from .c2matching_net import C2MatchingNet
from .contras_extractor import ContrasExtractor
from .contras_models import ContrasStudent, ContrasTeacher
from .correspondence import CorrespondenceGenerator
from .dynamic_aggregation import DynamicAggregation
from .ref_vgg_extractor import RefVGGExtractor

__all__ = [
    'C2Matching', 'C2MatchingDiscriminator', 'C2MatchingNet',
    'ContrasExtractor', 'ContrasStudent', 'ContrasTeacher',
    'CorrespondenceGenerator', 'DynamicAggregation', 'RefVGGExtractor'
]
